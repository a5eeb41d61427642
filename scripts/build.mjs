// `npm run build`: the CLI as a few ES modules in dist/cli, linked by esbuild from src/cli/main.ts.
// Node then reads and compiles a handful of files at start-up instead of one per source file and
// per package file (docs/performance.md). Types are checked by `npm run typecheck`.
//
// - commander and chalk, which every run loads, are inside the bundle, and so are the pure-JS
//   packages the commands load, with their own dependencies (yaml, zod, execa, listr2: about 170 ms
//   as their many files, 70 ms linked; each still read only by the chunks of the commands that import
//   it), and dockerode without its BuildKit session support (below). ssh2 (native parts, files found
//   through __dirname), docker-modem (which requires ssh2) and the rest stay imports of node_modules,
//   loaded when a command needs them; bundled CommonJS code requires them through the require below.
// - A module the CLI imports with import() (each command's implementation in src/commands, imported
//   by its definition's action in src/cli/commands) is a chunk of its own, read only when that
//   command runs; code they share is in chunks both import.
// - Node's built-in modules come through require(): importing one as an ES module builds its ESM
//   facade, which for node:fs also loads its stream classes (about 3 ms for nothing).
import { build } from 'esbuild';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

process.chdir(fileURLToPath(new URL('../', import.meta.url)));

const OUT_DIR = 'dist/cli';
const BUNDLED = new Set(['commander', 'chalk', 'yaml', 'zod', 'execa', 'listr2', 'dockerode']);
/** Kept out even when a bundled package requires them: native parts, files found by path. */
const NEVER_BUNDLED = new Set([
  'docker-modem',
  'ssh2',
  'cpu-features',
  '@grpc/grpc-js',
  '@grpc/proto-loader',
  'protobufjs',
]);

/** Where the built files sit, relative to the package root: a module's `new URL('../../templates/', import.meta.url)` resolves from there. */
const OUT_DEPTH = OUT_DIR.split('/').length;

const imports = {
  name: 'heal-pyroscope-imports',
  setup(b) {
    b.onResolve({ filter: /^node:/ }, (args) => {
      if (args.namespace === 'builtin' || args.namespace === 'builtin-on-use')
        return { path: args.path, external: true };
      const onUse = args.path === 'node:child_process' && /[\\/]node_modules[\\/]commander[\\/]/.test(args.importer);
      return { path: args.path, namespace: onUse ? 'builtin-on-use' : 'builtin' };
    });
    b.onLoad({ filter: /.*/, namespace: 'builtin' }, (args) => ({
      contents: `module.exports = require(${JSON.stringify(args.path)});`,
      loader: 'js',
    }));
    // commander requires node:child_process when it loads, for subcommands that are programs of
    // their own, which this CLI has none of: it gets the module on first use (saves ~0.7 ms).
    b.onLoad({ filter: /.*/, namespace: 'builtin-on-use' }, (args) => ({
      contents: `let loaded; module.exports = new Proxy({}, { get: (_, key) => (loaded ??= require(${JSON.stringify(args.path)}))[key] });`,
      loader: 'js',
    }));
    b.onResolve({ filter: /^[^./#]/ }, (args) => {
      if (args.namespace === 'builtin' || args.namespace === 'builtin-on-use') return undefined;
      const parts = args.path.split('/');
      const name = args.path.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
      // A bundled package's own dependencies are linked in with it (execa's dozen small packages).
      const fromBundled = /[\\/]node_modules[\\/]/.test(args.importer);
      if (NEVER_BUNDLED.has(name) || args.namespace === 'on-call') return { path: args.path, external: true };
      return BUNDLED.has(name) || fromBundled ? undefined : { path: args.path, external: true };
    });
    // dockerode loads its BuildKit session support (gRPC and protobuf, about 65 ms) when it loads;
    // nothing here builds images, so that module (and BuildKit's, which finds its .proto files by
    // __dirname) is required from node_modules only if it is ever called.
    b.onResolve({ filter: /^\.\/(session|buildkit)$/ }, (args) =>
      /[\\/]node_modules[\\/]dockerode[\\/]lib[\\/]docker\.js$/.test(args.importer)
        ? { path: `dockerode/lib/${args.path.slice(2)}.js`, namespace: 'on-call' }
        : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'on-call' }, (args) => ({
      contents: `module.exports = function () { return require(${JSON.stringify(args.path)}).apply(this, arguments); };`,
      loader: 'js',
    }));
  },
};

rmSync('dist', { recursive: true, force: true });
const result = await build({
  entryPoints: ['src/cli/main.ts'],
  outdir: OUT_DIR,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  plugins: [imports],
  metafile: true,
  write: false,
  logLevel: 'warning',
});

// Every module is linked into dist/cli, so a source file that finds a file next to it through
// import.meta.url must sit as deep as dist/cli does (src/cli, src/render, ...).
const misplaced = Object.keys(result.metafile.inputs)
  .filter((file) => file.startsWith('src/') && readFileSync(file, 'utf8').includes('import.meta.url'))
  .filter((file) => relative('.', dirname(file)).split(sep).length !== OUT_DEPTH);
if (misplaced.length > 0) {
  console.error(
    `build: ${misplaced.join(', ')} use import.meta.url but are not ${OUT_DEPTH} folders deep like ${OUT_DIR}: their relative URLs would be wrong in the bundle`,
  );
  process.exit(1);
}

// esbuild's __require helper, which loads built-in modules for the bundled code (the only modules it
// is asked for), calls the require() of the module it sits in: one chunk holds it, and gets one.
// process.getBuiltinModule (Node 20.16 and later) costs nothing; older Node makes one with
// createRequire (~1 ms with node:module's facade).
// Bundled CommonJS code also requires the packages kept out of the bundle (dockerode requires
// docker-modem): those go through a require made for this file on first use.
const REQUIRE = `const require = await (async () => {
  const get = globalThis.process.getBuiltinModule;
  const { createRequire, isBuiltin } = get ? get('node:module') : await import('node:module');
  let packages;
  return (id) => (get && isBuiltin(id) ? get(id) : (packages ??= createRequire(import.meta.url))(id));
})();
`;
const helpers = result.outputFiles.filter((f) => f.text.includes('var __require = '));
if (helpers.length !== 1) {
  console.error(`build: expected esbuild's __require helper in one chunk, found it in ${helpers.length}`);
  process.exit(1);
}
mkdirSync(OUT_DIR, { recursive: true });
for (const file of result.outputFiles) writeFileSync(file.path, file === helpers[0] ? REQUIRE + file.text : file.text);
