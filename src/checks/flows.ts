// Network flows the stack needs, each tested from the source host to the destination's address.
// When nothing listens on the destination port yet, a short-lived listener is started there (it
// exits after the expected connections, or is ended once every source has probed), so a firewall
// drop shows before install. Each flow is classified: open, refused, filtered, no route, name not
// resolved; a flow whose source or destination cannot be reached over SSH is not tested (skip).
import { FLOWS } from '../stack/manifest.js';
import type { ProbeState } from '../remote/index.js';
import type { Host } from '../hosts/host.js';
import type { CheckContext, CheckResult } from './check.js';

const CHECK = { id: 'flows.open', title: 'Network flow open' };

export interface FlowProbe {
  source: Host;
  dest: Host;
  port: number;
}

export function plannedFlows(hosts: readonly Host[]): FlowProbe[] {
  const serving = (tier: Host['tiers'][number]) => hosts.filter((h) => h.serves(tier));
  return FLOWS.flatMap((flow) =>
    serving(flow.from).flatMap((source) => serving(flow.to).flatMap((dest) => flow.ports.map((port) => ({ source, dest, port })))),
  );
}

export const STATE_WORDS: Record<ProbeState, string> = {
  open: 'open',
  refused: 'refused',
  timeout: 'filtered (timed out)',
  unreachable: 'no route',
  unresolved: 'name not resolved',
  closed: 'closed (refused or filtered)',
  unknown: 'unknown',
};

// $1 port, $2 connections to accept, $3 seconds to live. Binds all IPv4 addresses.
const LISTENER_PERL = `use IO::Socket::INET; my ($p,$n,$t)=@ARGV; $|=1;
my $s=IO::Socket::INET->new(LocalPort=>$p,Listen=>64,ReuseAddr=>1,Proto=>"tcp") or do { print "bind failed: $!\\n"; exit 2 };
my $end=time+$t; my $k=0;
while ($k<$n && time<$end) { my $r=""; vec($r,fileno($s),1)=1; if (select($r,undef,undef,0.5)) { my $c=$s->accept; close($c) if $c; $k++ } }`;
const LISTENER_PY = `import socket,select,sys,time
p,n,t=int(sys.argv[1]),int(sys.argv[2]),float(sys.argv[3])
s=socket.socket(); s.setsockopt(socket.SOL_SOCKET,socket.SO_REUSEADDR,1)
try: s.bind(("0.0.0.0",p)); s.listen(64)
except OSError as e: print("bind failed:",e); sys.exit(2)
end=time.time()+t; k=0
while k<n and time.time()<end:
  if select.select([s],[],[],0.5)[0]: s.accept()[0].close(); k+=1`;

export const LISTENER_SCRIPT = `if command -v perl >/dev/null 2>&1; then exec perl -e '${LISTENER_PERL.replace(/'/g, "'\\''")}' "$@"; fi
if command -v python3 >/dev/null 2>&1; then exec python3 -c '${LISTENER_PY.replace(/'/g, "'\\''")}' "$@"; fi
echo "no perl or python3 for a test listener"; exit 3`;

export function listenerArgv(port: number, connections: number, seconds: number): string[] {
  return ['sh', '-c', LISTENER_SCRIPT, 'sh', String(port), String(connections), String(seconds)];
}

interface Listener {
  ready: boolean;
  note: string;
  /** Whether the listener process has ended. */
  exited: () => boolean;
  done: Promise<unknown>;
}

async function startListener(dest: Host, port: number, connections: number, ctx: CheckContext): Promise<Listener> {
  // Lives past the probes by a margin; a filtered flow never connects, so this bounds its wait.
  const seconds = Math.ceil(ctx.probeTimeoutMs / 1000) + 5;
  // One extra connection for the readiness probe from the destination itself.
  const done = dest.remote.exec(listenerArgv(port, connections + 1, seconds), { timeoutMs: (seconds + 5) * 1000 }).catch((e: Error) => ({ code: -1, stdout: e.message, stderr: '' }));
  let finished: { stdout: string } | undefined;
  void done.then((r) => (finished = r));
  const exited = () => finished !== undefined;
  for (let i = 0; i < 25; i++) {
    if (finished) return { ready: false, note: finished.stdout.trim() || 'the test listener exited early', exited, done };
    const probe = await dest.remote.probeTcp('127.0.0.1', port, 1000);
    if (probe.state === 'open') return { ready: true, note: `test listener on ${dest.name}:${port}`, exited, done };
    await new Promise((r) => setTimeout(r, 200));
  }
  return { ready: false, note: 'the test listener did not start within 5 s', exited, done };
}

/**
 * Ends a listener once every source has probed: the connections that never came (a filtered flow)
 * are made from the destination itself, so preflight does not wait out the listener's deadline.
 */
async function endListener(dest: Host, port: number, listener: Listener): Promise<void> {
  for (let i = 0; i < 64 && !listener.exited(); i++) {
    const probe = await dest.remote.probeTcp('127.0.0.1', port, 1000).catch(() => undefined);
    if (probe?.state !== 'open') break;
  }
  await listener.done;
}

export async function checkFlows(ctx: CheckContext): Promise<CheckResult[]> {
  const probes = plannedFlows(ctx.hosts);
  const groups = new Map<string, FlowProbe[]>();
  for (const p of probes) groups.set(`${p.dest.name}:${p.port}`, [...(groups.get(`${p.dest.name}:${p.port}`) ?? []), p]);

  const results: CheckResult[] = [];
  await Promise.all(
    [...groups.values()].map(async (group) => {
      const { dest, port } = group[0]!;
      const where = `${dest.address}:${port}`;
      const skip = (source: Host, why: string) =>
        results.push({ ...CHECK, host: source.name, status: 'skip', summary: `${source.name} -> ${dest.name}:${port}: not tested (${why})`, evidence: [] });
      // Without SSH to the destination nothing could be started there, so a refusal would say
      // nothing about a firewall: the unreachable host is reported once, by the connect phase.
      if (!dest.connection) {
        for (const { source } of group) skip(source, `no SSH to ${dest.name}, so nothing listens there yet`);
        return;
      }
      const sources = group.filter(({ source }) => source.connection !== undefined);
      for (const { source } of group) if (!source.connection) skip(source, 'no SSH to the source');
      if (sources.length === 0) return;
      // A stopped container publishes nothing: its port needs a test listener like a free one.
      const listening = dest.facts?.listeners?.some((l) => l.port === port) || dest.facts?.docker?.containers.some((c) => c.state === 'running' && c.publishedPorts.includes(port));
      // Only the connected sources will connect: a listener waiting for the others would wait out its deadline.
      const listener = listening ? undefined : await startListener(dest, port, sources.length, ctx);
      const evidence = listener ? [listener.note] : [`${dest.name}:${port} already has a listener`];
      await Promise.all(
        sources.map(async ({ source }) => {
          const title = `${source.name} -> ${dest.name}:${port}`;
          if (listener && !listener.ready) {
            results.push({ ...CHECK, host: source.name, status: 'warn', summary: `${title}: not tested (${listener.note})`, evidence, remedy: `open ${where} from ${source.name} and test by hand` });
            return;
          }
          const probe = await source.remote.probeTcp(dest.address, port, ctx.probeTimeoutMs);
          const word = STATE_WORDS[probe.state];
          const ok = probe.state === 'open';
          results.push({
            ...CHECK,
            host: source.name,
            status: ok ? 'pass' : 'fail',
            summary: `${title} ${word}`,
            evidence: [...evidence, `connect ${where} from ${source.name}: ${probe.detail}`],
            ...(ok ? {} : { remedy: remedyFor(probe.state, source.name, where) }),
          });
        }),
      );
      if (listener) await endListener(dest, port, listener);
    }),
  );
  return results.sort((a, b) => a.summary.localeCompare(b.summary));
}

function remedyFor(state: ProbeState, source: string, where: string): string {
  switch (state) {
    case 'timeout':
      return `a firewall drops ${source} -> ${where}: open TCP ${where} for ${source}`;
    case 'refused':
      return `${where} actively refused: check a firewall REJECT rule, or a service bound only to localhost`;
    case 'unreachable':
      return `${source} has no route to ${where}: check routing and security groups`;
    case 'unresolved':
      return `${source} cannot resolve the destination name: use an address, or fix DNS/hosts on ${source}`;
    default:
      return `test by hand from ${source}: nc -zv ${where.replace(':', ' ')}`;
  }
}
