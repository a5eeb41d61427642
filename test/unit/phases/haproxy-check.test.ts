// The external front-door snippet is judged by the real `haproxy -c` before upload: what we render
// passes, a broken snippet is refused naming HAProxy's alert, and a missing HAProxy is said plainly.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { HealError } from '../../../src/core/errors.js';
import { checkExternalSnippet } from '../../../src/phases/install/haproxy-check.js';
import { externalFrontDoorSteps } from '../../../src/phases/install/front-door.js';
import type { InstallPlan } from '../../../src/plan/plan.js';
import { renderContext } from '../../../src/render/context.js';
import { EXTERNAL_SNIPPET_PATH, renderHaproxy } from '../../../src/render/haproxy.js';
import { sampleInput } from '../render/sample-context.js';

const files = renderHaproxy(renderContext(sampleInput({ frontDoor: 'external' }))).files;
const withSnippet = (edit: (text: string) => string) =>
  files.map((f) => (f.path === EXTERNAL_SNIPPET_PATH ? { ...f, content: edit(f.content) } : f));

function haproxyInstalled(): boolean {
  try {
    execFileSync('haproxy', ['-v']);
    return true;
  } catch {
    return false;
  }
}
const inCI = Boolean(process.env.CI) && process.env.CI !== 'false';

describe.skipIf(!haproxyInstalled() && !inCI)('checking the external snippet with haproxy -c', () => {
  it('accepts the snippet as rendered', async () => {
    await expect(checkExternalSnippet(files)).resolves.toBeUndefined();
  });

  it('refuses a snippet HAProxy cannot parse, quoting its alert', async () => {
    const broken = withSnippet((text) => text.replace('proto h2', 'proto h3000'));
    const error = await checkExternalSnippet(broken).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HealError);
    expect((error as HealError).code).toBe('install.front-door-invalid');
    expect((error as HealError).details.join('\n')).toMatch(/ALERT.*h3000/);
  });

  it('refuses a snippet whose backend is missing (not only syntax)', async () => {
    const dangling = withSnippet((text) =>
      text.replace('use_backend heal_pyroscope_pyroscope if', 'use_backend heal_pyroscope_nowhere if'),
    );
    await expect(checkExternalSnippet(dangling)).rejects.toMatchObject({ code: 'install.front-door-invalid' });
  });
});

describe('checking the external snippet without haproxy', () => {
  it('says HAProxy is missing on this machine and how to install it', async () => {
    await expect(checkExternalSnippet(files, '/nonexistent/haproxy')).rejects.toMatchObject({
      code: 'install.haproxy-missing',
      hint: expect.stringContaining('apt-get install haproxy'),
    });
  });
});

describe('what the summary tells the operator to do with the snippet', () => {
  const plan = (action: 'create' | 'update' | 'keep'): InstallPlan => ({
    conflicts: [],
    tiers: [
      {
        tier: 'web',
        machine: 'web-01',
        pull: [],
        present: [],
        containers: [],
        createNetwork: false,
        files: [{ path: `/opt/heal-pyroscope/web/${EXTERNAL_SNIPPET_PATH}`, action }],
      },
    ],
  });

  it('names the file to include and the reload when the snippet is new or changed', () => {
    for (const action of ['create', 'update'] as const) {
      const text = externalFrontDoorSteps(plan(action), 'web-01').join('\n');
      expect(text).toContain(`-f /opt/heal-pyroscope/web/${EXTERNAL_SNIPPET_PATH}`);
      expect(text).toContain('systemctl reload haproxy');
    }
  });

  it('says no reload is needed when the snippet did not change', () => {
    const text = externalFrontDoorSteps(plan('keep'), 'web-01').join('\n');
    expect(text).toContain('no reload needed');
    expect(text).not.toContain('systemctl reload');
  });
});
