// The `--front-door external` snippet goes into an HAProxy we do not run, so the real HAProxy parser
// checks it on the operator's machine before upload: the web host may run its HAProxy in a
// container, or a version whose binary we must not call, and a broken include breaks its reload.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HealError } from '../../core/errors.js';
import { runLocal } from '../../local/process.js';
import {
  EXTERNAL_CERTIFICATE_FILE,
  EXTERNAL_SNIPPET_PATH,
  EXTERNAL_TENANTS_MAP_FILE,
  EXTERNAL_WRAPPER_PATH,
  TENANTS_MAP_PATH,
  TLS_CERTIFICATE_PATH,
} from '../../render/haproxy.js';
import type { RenderedFile } from '../../render/rendered-file.js';

/**
 * Runs `haproxy -c -f validate-wrapper.cfg -f heal-pyroscope.cfg` on copies of the rendered files;
 * throws a HealError naming HAProxy's alerts when it refuses them, or when HAProxy is not installed.
 */
export async function checkExternalSnippet(files: readonly RenderedFile[], bin = 'haproxy'): Promise<void> {
  const snippet = files.find((f) => f.path === EXTERNAL_SNIPPET_PATH);
  const wrapper = files.find((f) => f.path === EXTERNAL_WRAPPER_PATH);
  if (!snippet || !wrapper) throw new Error('the external front-door files were not rendered');
  const dir = mkdtempSync(join(tmpdir(), 'heal-pyroscope-haproxy-'));
  try {
    const wrapperPath = join(dir, 'validate-wrapper.cfg');
    const snippetPath = join(dir, 'heal-pyroscope.cfg');
    writeFileSync(wrapperPath, wrapper.content);
    // A TLS bind loads its certificate and the auth rules their tenant map while checking: the copy
    // points at copies in this 0700 directory (mode 0600, removed below), the same files install uploads.
    let content = snippet.content;
    for (const [onHost, path, name] of [
      [EXTERNAL_CERTIFICATE_FILE, TLS_CERTIFICATE_PATH, 'front-door.pem'],
      [EXTERNAL_TENANTS_MAP_FILE, TENANTS_MAP_PATH, 'tenants.map'],
    ] as const) {
      const file = files.find((f) => f.path === path);
      if (!file) continue;
      const local = join(dir, name);
      writeFileSync(local, file.content, { mode: 0o600 });
      content = content.replaceAll(onHost, local);
    }
    writeFileSync(snippetPath, content);
    const answer = await runLocal([bin, '-c', '-f', wrapperPath, '-f', snippetPath], {
      timeoutMs: 30_000,
      purpose: 'check the front-door snippet',
      missingCode: 'install.haproxy-missing',
    });
    const output = `${answer.stdout}${answer.stderr}`;
    if (answer.code !== 0) {
      const alerts = output
        .split('\n')
        .filter((l) => /\[(ALERT|WARNING)\]/.test(l))
        .map((l) => l.replaceAll(dir, '.').trim());
      throw new HealError({
        code: 'install.front-door-invalid',
        message:
          `HAProxy refuses the front-door snippet (${bin} -c ` +
          `${answer.code === null ? `killed by ${answer.signal ?? 'a signal'}` : `exit ${answer.code}`}); ` +
          `nothing was uploaded`,
        details: alerts.length > 0 ? alerts : output.trim().split('\n').slice(-5),
        hint:
          'an HAProxy here older than the one on the web host may not know a keyword (check `haproxy ' +
          '-v`); otherwise report these lines as a heal-pyroscope bug',
      });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
