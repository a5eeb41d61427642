import { execa } from 'execa';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const bin = fileURLToPath(new URL('../../../bin/heal-pyroscope', import.meta.url));
const hook = fileURLToPath(new URL('./record-imports.mjs', import.meta.url));

async function loaded(args: string[]): Promise<{ imports: string[]; files: string[] }> {
  const r = await execa('node', ['--import', hook, bin, ...args], { reject: false, env: { CI: 'true' } });
  const lines = r.stderr.split('\n');
  const tagged = (tag: string) => lines.filter((l) => l.startsWith(tag)).map((l) => l.slice(tag.length));
  return { imports: tagged('IMPORT '), files: tagged('FILE ').map((u) => fileURLToPath(u)) };
}

async function importsOf(args: string[]): Promise<string[]> {
  return (await loaded(args)).imports;
}

/** The packages linked into dist/cli (scripts/build.mjs) whose code the loaded files hold, by a mark of each. */
function linkedIn(files: string[]): string[] {
  const marks: Record<string, RegExp> = {
    listr2: /node_modules\/listr2\//,
    yaml: /node_modules\/yaml\//,
    zod: /node_modules\/zod\//,
    execa: /node_modules\/execa\//,
    dockerode: /node_modules\/dockerode\//,
  };
  const texts = files.filter((f) => f.includes('/dist/cli/')).map((f) => readFileSync(f, 'utf8'));
  return Object.keys(marks).filter((name) => texts.some((t) => marks[name]!.test(t)));
}

describe('start-up (built CLI in dist/)', () => {
  it('imports no package for --help or --version: commander is inside the bundle (npm run build), ssh2, dockerode, listr2, the prompts and the config schema are not needed', async () => {
    for (const args of [['--help'], ['--version'], ['preflight', '--help']])
      expect(await importsOf(args), args.join(' ')).toEqual([]);
  });

  it('never loads the JSON schema or its validator, not even for a --json document', async () => {
    for (const args of [
      ['--json', 'version'],
      ['--json', 'preflight', '--bogus'],
    ]) {
      const imports = await importsOf(args);
      expect(
        imports.filter((i) => i.startsWith('ajv') || i.includes('schema.json')),
        args.join(' '),
      ).toEqual([]);
    }
  });

  it('loads none of them for a config error either', async () => {
    const { imports, files } = await loaded(['preflight', '--yes']);
    // The hook does see the packages the config loader needs (linked into the chunks it reads).
    expect(linkedIn(files)).toEqual(expect.arrayContaining(['yaml', 'zod']));
    expect(imports).not.toContain('ssh2');
    for (const linked of ['listr2', 'dockerode']) expect(linkedIn(files)).not.toContain(linked);
  });

  it('reads no chunk holding a linked package for --help or --version', async () => {
    for (const args of [['--help'], ['--version']])
      expect(linkedIn((await loaded(args)).files), args.join(' ')).toEqual([]);
  });
});
