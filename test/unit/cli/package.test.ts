import { execa } from 'execa';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../../', import.meta.url));

/** The files `npm pack` would put into the tarball (scripts skipped: dist/ is built before the tests). */
async function packedFiles(): Promise<string[]> {
  const r = await execa('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
    cwd: root,
    env: { npm_config_loglevel: 'error' },
  });
  const [pack] = JSON.parse(r.stdout) as Array<{ files: Array<{ path: string }> }>;
  return pack!.files.map((f) => f.path);
}

describe('the npm tarball', () => {
  it('carries the Apache-2.0 LICENSE that package.json names, the docs the README links to, and what the CLI runs', async () => {
    const files = await packedFiles();
    expect(files).toEqual(
      expect.arrayContaining([
        'LICENSE',
        'README.md',
        'docs/configuration.md',
        'docs/troubleshooting.md',
        'package.json',
        'bin/heal-pyroscope',
        'dist/cli/main.js',
        'templates/haproxy/front-door.cfg',
      ]),
    );
    expect((JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { license: string }).license).toBe(
      'Apache-2.0',
    );
    const license = readFileSync(join(root, 'LICENSE'), 'utf8');
    expect(license).toContain('Apache License\n                           Version 2.0, January 2004');
    expect(license).toContain('END OF TERMS AND CONDITIONS');
  }, 60_000);

  it('holds no source map, and no source map reference, that points at a file it lacks', async () => {
    const files = await packedFiles();
    const packed = new Set(files);
    const dangling: string[] = [];
    for (const file of files) {
      if (file.endsWith('.map')) {
        const map = JSON.parse(readFileSync(join(root, file), 'utf8')) as {
          sources: string[];
          sourcesContent?: string[];
        };
        for (const source of map.sources) {
          if (!packed.has(normalize(join(dirname(file), source))) && map.sourcesContent === undefined)
            dangling.push(`${file} -> ${source}`);
        }
      } else if (file.endsWith('.js')) {
        const url = /\/\/# sourceMappingURL=(\S+)\s*$/.exec(readFileSync(join(root, file), 'utf8'))?.[1];
        if (url && !url.startsWith('data:') && !packed.has(normalize(join(dirname(file), url))))
          dangling.push(`${file} -> ${url}`);
      }
    }
    expect(dangling).toEqual([]);
    expect(existsSync(join(root, 'dist/cli/main.js'))).toBe(true);
  }, 60_000);
});
