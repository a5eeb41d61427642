// Reads the routing of a rendered HAProxy configuration the way HAProxy applies it, for the subset
// our templates use: `acl NAME path_beg P...`, `use_backend B if ACL`, `default_backend B`, and
// `server NAME ADDRESS [proto h2] ...`. Anything else in those positions fails the test loudly.

export interface Route {
  backend: string;
  server: string;
  proto: string | null;
}

interface Section {
  kind: string;
  name: string;
  lines: string[][];
}

function sections(cfg: string): Section[] {
  const out: Section[] = [];
  for (const raw of cfg.split('\n')) {
    const line = raw.replace(/#.*$/, '').trim();
    if (!line) continue;
    const words = line.split(/\s+/);
    if (/^\S/.test(raw)) out.push({ kind: words[0]!, name: words[1] ?? '', lines: [] });
    else out.at(-1)?.lines.push(words);
  }
  return out;
}

/** The backend and server a request for `path` reaches through the frontend `frontend`. */
export function routeFor(cfg: string, frontend: string, path: string): Route {
  const all = sections(cfg);
  const fe = all.find((s) => s.kind === 'frontend' && s.name === frontend);
  if (!fe) throw new Error(`no frontend ${frontend}`);

  const acls = new Map<string, string[]>();
  let chosen: string | undefined;
  let fallback: string | undefined;
  for (const [keyword, ...args] of fe.lines) {
    if (keyword === 'acl') {
      const [name, criterion, ...prefixes] = args;
      if (criterion !== 'path_beg') throw new Error(`unsupported acl criterion ${criterion}`);
      acls.set(name!, [...(acls.get(name!) ?? []), ...prefixes]);
    } else if (keyword === 'use_backend') {
      const [backend, cond, acl, ...rest] = args;
      if (cond !== 'if' || rest.length > 0 || !acls.has(acl!)) throw new Error(`unsupported rule: ${args.join(' ')}`);
      if (chosen === undefined && acls.get(acl!)!.some((p) => path.startsWith(p))) chosen = backend;
    } else if (keyword === 'default_backend') {
      fallback = args[0];
    }
  }
  const backend = chosen ?? fallback;
  if (!backend) throw new Error(`no backend for ${path}`);

  const be = all.find((s) => s.kind === 'backend' && s.name === backend);
  if (!be) throw new Error(`backend ${backend} is not defined`);
  const servers = be.lines.filter((l) => l[0] === 'server');
  if (servers.length !== 1) throw new Error(`backend ${backend} has ${servers.length} servers`);
  const server = servers[0]!;
  const protoAt = server.indexOf('proto');
  return { backend, server: server[2]!, proto: protoAt === -1 ? null : server[protoAt + 1]! };
}
