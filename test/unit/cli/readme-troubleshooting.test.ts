import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../support/run-cli.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const docs = readdirSync(join(root, 'docs'))
  .filter((f) => f.endsWith('.md'))
  .map((f) => ({ file: `docs/${f}`, text: readFileSync(join(root, 'docs', f), 'utf8') }));
const page = readFileSync(join(root, 'docs/troubleshooting.md'), 'utf8');
const troubleshooting = /^## The causes met most\n([\s\S]*?)(?:^## |(?![\s\S]))/m.exec(page)?.[1] ?? '';
const codeIndex = /^## Every error code\n([\s\S]*)/m.exec(page)?.[1] ?? '';

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}
const code = sources(join(root, 'src'))
  .map((f) => readFileSync(f, 'utf8'))
  .join('\n');

/** Every error code written out in src/: the dotted literals on the lines that set a code. */
const thrownCodes = new Set(
  code
    .split('\n')
    .filter((line) => /\b(code|missingCode|dataPathError)\b/.test(line))
    .flatMap((line) => [...line.matchAll(/'([a-z]+\.[a-z][a-z.-]*)'/g)].map((m) => m[1]!))
    .filter((c) => !c.startsWith('commander.')),
);
/** The codes src/ builds: `ssh.key.KIND` from a key problem's kind, `usage.KIND` from commander's error code. */
const keyKinds: string[] = /KeyProblemKind = ([^;]+);/.exec(code)?.[1]?.match(/[a-z]+/g) ?? [];
const commanderLib = join(dirname(createRequire(import.meta.url).resolve('commander')), 'lib');
const commanderCodes = readdirSync(commanderLib)
  .map((f) => readFileSync(join(commanderLib, f), 'utf8'))
  .join('\n');
function codeExists(id: string): boolean {
  if (code.includes(`'${id}'`)) return true;
  const key = /^ssh\.key\.([a-z]+)$/.exec(id);
  if (key) return keyKinds.includes(key[1]!);
  const usage = /^usage\.([a-z-]+)$/.exec(id);
  if (usage)
    return (
      usage[1] === 'missing-command' ||
      commanderCodes.includes(`'commander.${usage[1]!.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase())}'`)
    );
  return false;
}

describe("docs/troubleshooting.md's causes met most", () => {
  it('names only error codes and check ids the CLI has', () => {
    const named = [...troubleshooting.matchAll(/^\*\*[^*]+\*\* \(([^)]*)\)/gm)].flatMap((m) =>
      [...m[1]!.matchAll(/`([a-z]+\.[a-z.-]+)`/g)].map((c) => c[1]!),
    );
    expect(named.length).toBeGreaterThanOrEqual(9);
    for (const id of named) expect(code, id).toMatch(new RegExp(`(code|id): '${id.replace(/\./g, '\\.')}'`));
  });

  it('gives only commands and flags the CLI accepts', async () => {
    const commands = [
      ...troubleshooting.matchAll(/^heal-pyroscope ([a-z]+(?: save)?)((?: --?[a-z-]+(?: [^\s#-][^\s#]*)?)*)/gm),
    ];
    expect(commands.length).toBeGreaterThanOrEqual(8);
    for (const [line, command, rest] of commands) {
      const help = (await runCli([...command!.split(' '), '--help'])).stdout;
      for (const flag of rest!.match(/--?[a-z-]+/g) ?? [])
        expect(help, line).toMatch(new RegExp(`(^|[ ,])${flag}[ ,\\n]`, 'm'));
    }
  });

  it('and the README and docs/ run the installed command, not npx', () => {
    expect(readme).not.toMatch(/^npx heal-pyroscope/m);
    for (const { file, text } of docs) expect(text, file).not.toMatch(/^npx heal-pyroscope/m);
  });
});

describe("docs/troubleshooting.md's code index", () => {
  const listed = [...codeIndex.matchAll(/^\| `([a-z][a-z.-]*)` \|/gm)].map((m) => m[1]!);

  it('lists every error code src/ writes out', () => {
    expect(thrownCodes.size).toBeGreaterThanOrEqual(100);
    for (const id of thrownCodes) expect(listed, id).toContain(id);
  });

  it('lists each code once, and only codes the CLI has', () => {
    expect(new Set(listed).size).toBe(listed.length);
    for (const id of listed) expect(codeExists(id), id).toBe(true);
  });
});
