// `npm run lint` (with eslint): imports in src/ point down. Every folder has a layer; a file may
// import from its own layer or a lower one, never from a higher one, and no files or folders form a
// cycle (type-only and dynamic imports count: a cycle through them is still a knot to untie).
// docs/architecture.md explains the layers; a new folder must be given one here.
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/** Lowest first. Folders on one line share a layer and may import each other, but not in a circle. */
export const LAYERS = [
  ['core'],
  ['stack'],
  ['guard', 'images', 'local', 'tls'],
  ['config', 'render', 'remote', 'state', 'agents'],
  ['backup', 'hosts'],
  ['checks', 'plan'],
  ['runner'],
  ['phases/shared'],
  [
    'phases/preflight',
    'phases/verify',
    'phases/install',
    'phases/restore',
    'phases/uninstall',
    'phases/status',
    'phases/logs',
    'phases/backup',
    'phases/open',
  ],
  ['console'],
  ['commands'],
  ['cli/commands'],
  ['cli'],
];

const IMPORT = /(?:^|\s)(?:import|export)\s[^;]*?from\s+['"](\.[^'"]+)['"]|import\(\s*['"](\.[^'"]+)['"]\s*\)/g;

function sourceFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** Each file's imports of other files in `root`, as paths relative to `root`. */
export function importGraph(root) {
  const graph = new Map();
  for (const file of sourceFiles(root)) {
    const text = readFileSync(file, 'utf8');
    const targets = new Set();
    for (const match of text.matchAll(IMPORT)) {
      const spec = match[1] ?? match[2];
      const target = resolve(dirname(file), spec).replace(/\.js$/, '.ts');
      if (existsSync(target)) targets.add(relative(root, target));
    }
    graph.set(relative(root, file), [...targets]);
  }
  return graph;
}

/** Strongly connected components with more than one member (Tarjan). */
function cycles(nodes, next) {
  let counter = 0;
  const index = new Map();
  const low = new Map();
  const stack = [];
  const onStack = new Set();
  const found = [];
  const visit = (node) => {
    index.set(node, counter);
    low.set(node, counter);
    counter += 1;
    stack.push(node);
    onStack.add(node);
    for (const other of next(node)) {
      if (!index.has(other)) {
        visit(other);
        low.set(node, Math.min(low.get(node), low.get(other)));
      } else if (onStack.has(other)) low.set(node, Math.min(low.get(node), index.get(other)));
    }
    if (low.get(node) !== index.get(node)) return;
    const component = [];
    let member;
    do {
      member = stack.pop();
      onStack.delete(member);
      component.push(member);
    } while (member !== node);
    if (component.length > 1) found.push(component.sort());
  };
  for (const node of nodes) if (!index.has(node)) visit(node);
  return found;
}

const folderOf = (file) => dirname(file);

/** Every broken rule, one line each; empty when the imports point down. */
export function layerProblems(graph, layers = LAYERS) {
  const rank = new Map(layers.flatMap((folders, i) => folders.map((folder) => [folder, i])));
  const problems = [];
  for (const file of graph.keys()) {
    if (!rank.has(folderOf(file)))
      problems.push(`${file}: folder ${folderOf(file)} has no layer in scripts/check-layers.mjs`);
  }
  for (const [file, targets] of graph) {
    for (const target of targets) {
      const from = rank.get(folderOf(file));
      const to = rank.get(folderOf(target));
      if (from !== undefined && to !== undefined && to > from)
        problems.push(`${file} imports ${target}: ${folderOf(target)} is a layer above ${folderOf(file)}`);
    }
  }
  for (const cycle of cycles([...graph.keys()], (file) => graph.get(file) ?? []))
    problems.push(`file cycle: ${cycle.join(' <-> ')}`);
  const folderEdges = new Map();
  for (const [file, targets] of graph) {
    for (const target of targets) {
      if (folderOf(file) === folderOf(target)) continue;
      const set = folderEdges.get(folderOf(file)) ?? new Set();
      set.add(folderOf(target));
      folderEdges.set(folderOf(file), set);
    }
  }
  const folders = [...new Set([...graph.keys()].map(folderOf))];
  for (const cycle of cycles(folders, (folder) => [...(folderEdges.get(folder) ?? [])]))
    problems.push(`folder cycle: ${cycle.join(' <-> ')}`);
  return problems;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const problems = layerProblems(importGraph(resolve(process.argv[2] ?? 'src')));
  for (const problem of problems) console.error(`layers: ${problem}`);
  if (problems.length > 0) {
    console.error(
      `layers: ${problems.length} problem(s); see docs/architecture.md (layers) and scripts/check-layers.mjs`,
    );
    process.exit(1);
  }
}
