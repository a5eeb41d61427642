import { execa } from 'execa';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const bin = fileURLToPath(new URL('../../../bin/heal-pyroscope', import.meta.url));
const hook = fileURLToPath(new URL('./record-imports.mjs', import.meta.url));

async function importsOf(args: string[]): Promise<string[]> {
  const r = await execa('node', ['--import', hook, bin, ...args], { reject: false, env: { CI: 'true' } });
  return r.stderr
    .split('\n')
    .filter((l) => l.startsWith('IMPORT '))
    .map((l) => l.slice('IMPORT '.length));
}

describe('start-up (built CLI in dist/)', () => {
  it('imports no package for --help or --version: commander is inside the bundle (npm run build), ssh2, dockerode, listr2, the prompts and the config schema are not needed', async () => {
    for (const args of [['--help'], ['--version'], ['preflight', '--help']]) expect(await importsOf(args), args.join(' ')).toEqual([]);
  });

  it('never loads the JSON schema or its validator, not even for a --json document', async () => {
    for (const args of [['--json', 'version'], ['--json', 'preflight', '--bogus']]) {
      const imports = await importsOf(args);
      expect(imports.filter((i) => i.startsWith('ajv') || i.includes('schema.json')), args.join(' ')).toEqual([]);
    }
  });

  it('loads none of them for a config error either', async () => {
    const imports = await importsOf(['preflight', '--yes']);
    expect(imports).toContain('yaml'); // the hook does see the packages the config loader imports
    for (const heavy of ['ssh2', 'dockerode', 'listr2']) expect(imports).not.toContain(heavy);
  });
});
