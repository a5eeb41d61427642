// Network flows the stack needs, each tested from the source host to the destination's address.
// When nothing listens on the destination port yet, one short-lived listener is started there for
// all its sources (100 targets to web:9940: one process, not 100); it notes each connection's
// source address, exits once every source has come or when told to (a second connection from the
// destination itself), so a firewall drop shows before install and each arrival is attributed. Each flow is classified: open, refused, filtered, no route, name not
// resolved; a flow whose source or destination cannot be reached over SSH is not tested (skip).
import { backoffMs } from '../core/backoff.js';
import { flowsFor, type StackOptions } from '../stack/manifest.js';
import type { ProbeState } from '../remote/index.js';
import type { Host } from '../hosts/host.js';
import type { CheckContext, CheckResult } from './check.js';

const CHECK = { id: 'flows.open', title: 'Network flow open' };

export interface FlowProbe {
  source: Host;
  dest: Host;
  port: number;
}

export function plannedFlows(hosts: readonly Host[], options: StackOptions): FlowProbe[] {
  const serving = (tier: Host['tiers'][number]) => hosts.filter((h) => h.serves(tier));
  return flowsFor(options).flatMap((flow) =>
    serving(flow.from).flatMap((source) =>
      serving(flow.to).flatMap((dest) => flow.ports.map((port) => ({ source, dest, port }))),
    ),
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

// $1 port, $2 sources to wait for, $3 seconds to live. Binds all IPv4 addresses; prints
// "listening PID", then "from ADDRESS" per source connection. Loopback connections are the
// destination's own: the first is the readiness probe, the second ends the listener.
const LISTENER_PERL = `use IO::Socket::INET; my ($p,$n,$t)=@ARGV; $|=1;
my $s=IO::Socket::INET->new(LocalPort=>$p,Listen=>256,ReuseAddr=>1,Proto=>"tcp") or do { print "bind failed: $!\\n"; exit 2 };
print "listening $$\\n"; my $end=time+$t; my $k=0; my $l=0;
while ($k<$n && time<$end) { my $r=""; vec($r,fileno($s),1)=1; next unless select($r,undef,undef,0.5); my $c=$s->accept or next; my $a=$c->peerhost; close($c);
  if ($a =~ /^127\\./) { last if ++$l>1; next } print "from $a\\n"; $k++ }`;
const LISTENER_PY = `import os,socket,select,sys,time
p,n,t=int(sys.argv[1]),int(sys.argv[2]),float(sys.argv[3])
s=socket.socket(); s.setsockopt(socket.SOL_SOCKET,socket.SO_REUSEADDR,1)
try: s.bind(("0.0.0.0",p)); s.listen(256)
except OSError as e: print("bind failed:",e); sys.exit(2)
print("listening",os.getpid(),flush=True); end=time.time()+t; k=0; l=0
while k<n and time.time()<end:
  if not select.select([s],[],[],0.5)[0]: continue
  c,a=s.accept(); c.close()
  if a[0].startswith("127."):
    l+=1
    if l>1: break
    continue
  print("from",a[0],flush=True); k+=1`;

export const LISTENER_SCRIPT = `if command -v perl >/dev/null 2>&1; then exec perl -e '${LISTENER_PERL.replace(/'/g, "'\\''")}' "$@"; fi
if command -v python3 >/dev/null 2>&1; then exec python3 -c '${LISTENER_PY.replace(/'/g, "'\\''")}' "$@"; fi
echo "no perl or python3 for a test listener"; exit 3`;

export function listenerArgv(port: number, sources: number, seconds: number): string[] {
  return ['sh', '-c', LISTENER_SCRIPT, 'sh', String(port), String(sources), String(seconds)];
}

/** What one test listener saw: its process, and the connections it counted by source address. */
export interface ListenerTally {
  pid: number | undefined;
  from: ReadonlyMap<string, number>;
}

/** Reads the listener's output ("listening PID", "from ADDRESS" lines). */
export function tallyListener(stdout: string): ListenerTally {
  let pid: number | undefined;
  const from = new Map<string, number>();
  for (const line of stdout.split('\n')) {
    const [word, value] = line.trim().split(/\s+/);
    if (word === 'listening' && value && /^\d+$/.test(value)) pid = Number(value);
    if (word === 'from' && value) from.set(value, (from.get(value) ?? 0) + 1);
  }
  return { pid, from };
}

/** The evidence line on one source's arrival at the shared listener. */
export function arrivalNote(tally: ListenerTally, sourceAddress: string): string {
  const count = tally.from.get(sourceAddress) ?? 0;
  if (count > 0)
    return `the test listener counted ${count === 1 ? 'a connection' : `${count} connections`} from ${sourceAddress}`;
  const seen = [...tally.from.keys()];
  return (
    `the test listener counted no connection from ` +
    `${sourceAddress}${seen.length ? ` (it saw ${seen.slice(0, 5).join(', ')}${seen.length > 5 ? ', ...' : ''})` : ''}: a NAT or proxy on the path, or a host name rather than its address in the configuration`
  );
}

interface Listener {
  ready: boolean;
  note: string;
  /** Whether the listener process has ended. */
  exited: () => boolean;
  done: Promise<{ stdout: string }>;
}

const LISTENER_START_MS = 5000;

/**
 * Polls for the test listener back off from 20 ms, growing by half, to 200 ms: it is up within a few
 * tens of milliseconds (perl or nc starting), and a fixed 200 ms poll cost every preflight most of a
 * round (the checks phase was 270 ms, 200 of them this wait).
 */
export function listenerPollDelayMs(attempt: number): number {
  return backoffMs(attempt, { firstMs: 20, factor: 1.5, capMs: 200 });
}

async function startListener(dest: Host, port: number, sources: number, ctx: CheckContext): Promise<Listener> {
  // Lives past the probes by a margin; a filtered flow never connects, so this bounds its wait.
  const seconds = Math.ceil(ctx.probeTimeoutMs / 1000) + 5;
  const done = dest.remote
    .exec(listenerArgv(port, sources, seconds), { timeoutMs: (seconds + 5) * 1000 })
    .catch((e: Error) => ({ code: -1, stdout: e.message, stderr: '' }));
  let finished: { stdout: string } | undefined;
  void done.then((r) => (finished = r));
  const exited = () => finished !== undefined;
  const deadline = Date.now() + LISTENER_START_MS;
  for (let attempt = 0; ; attempt++) {
    if (finished)
      return { ready: false, note: finished.stdout.trim() || 'the test listener exited early', exited, done };
    const probe = await dest.remote.probeTcp('127.0.0.1', port, 1000);
    if (probe.state === 'open')
      return {
        ready: true,
        note: `one test listener on ${dest.name}:${port} for ${sources} source${sources === 1 ? '' : 's'}`,
        exited,
        done,
      };
    if (Date.now() >= deadline) break;
    await new Promise((r) => setTimeout(r, listenerPollDelayMs(attempt)));
  }
  return { ready: false, note: `the test listener did not start within ${LISTENER_START_MS / 1000} s`, exited, done };
}

/**
 * Ends a listener once every source has probed: when a source never came (a filtered flow), one
 * more connection from the destination itself ends it, so preflight does not wait out its deadline.
 */
async function endListener(dest: Host, port: number, listener: Listener): Promise<ListenerTally> {
  if (!listener.exited()) await dest.remote.probeTcp('127.0.0.1', port, 1000).catch(() => undefined);
  return tallyListener((await listener.done).stdout);
}

export async function checkFlows(ctx: CheckContext): Promise<CheckResult[]> {
  // One group per destination port, with every source that connects to it.
  const groups = new Map<string, { dest: Host; port: number; sources: Host[] }>();
  for (const { source, dest, port } of plannedFlows(ctx.hosts, ctx.topology)) {
    const key = `${dest.name}:${port}`;
    const group = groups.get(key) ?? { dest, port, sources: [] };
    group.sources.push(source);
    groups.set(key, group);
  }

  const results: CheckResult[] = [];
  await Promise.all(
    [...groups.values()].map(async ({ dest, port, sources: all }) => {
      const where = `${dest.address}:${port}`;
      const skip = (source: Host, why: string) =>
        results.push({
          ...CHECK,
          host: source.name,
          status: 'skip',
          summary: `${source.name} -> ${dest.name}:${port}: not tested (${why})`,
          evidence: [],
        });
      // Without SSH to the destination nothing could be started there, so a refusal would say
      // nothing about a firewall: the unreachable host is reported once, by the connect phase.
      if (!dest.connection) {
        for (const source of all) skip(source, `no SSH to ${dest.name}, so nothing listens there yet`);
        return;
      }
      const sources = all.filter((source) => source.connection !== undefined);
      for (const source of all) if (!source.connection) skip(source, 'no SSH to the source');
      if (sources.length === 0) return;
      // A stopped container publishes nothing: its port needs a test listener like a free one.
      const listening =
        dest.facts?.listeners?.some((l) => l.port === port) ||
        dest.facts?.docker?.containers.some((c) => c.state === 'running' && c.publishedPorts.includes(port));
      // Only the connected sources will connect: a listener waiting for the others would wait out its deadline.
      const listener = listening ? undefined : await startListener(dest, port, sources.length, ctx);
      const evidence = listener ? [listener.note] : [`${dest.name}:${port} already has a listener`];
      const probed = await Promise.all(
        sources.map(async (source) => {
          const title = `${source.name} -> ${dest.name}:${port}`;
          if (listener && !listener.ready) {
            results.push({
              ...CHECK,
              host: source.name,
              status: 'warn',
              summary: `${title}: not tested (${listener.note})`,
              evidence,
              remedy: `open ${where} from ${source.name} and test by hand`,
            });
            return undefined;
          }
          return { source, title, probe: await source.remote.probeTcp(dest.address, port, ctx.probeTimeoutMs) };
        }),
      );
      // Results wait for the listener's tally: each open flow says whether its connection arrived from the source's address.
      const tally = listener?.ready ? await endListener(dest, port, listener) : undefined;
      if (listener && !listener.ready) await listener.done;
      const pid = tally?.pid !== undefined ? ` (pid ${tally.pid})` : '';
      for (const p of probed) {
        if (!p) continue;
        const { source, title, probe } = p;
        const ok = probe.state === 'open';
        results.push({
          ...CHECK,
          host: source.name,
          status: ok ? 'pass' : 'fail',
          summary: `${title} ${STATE_WORDS[probe.state]}`,
          evidence: [
            `${evidence[0]}${pid}`,
            `connect ${where} from ${source.name}: ${probe.detail}`,
            ...(ok && tally ? [arrivalNote(tally, source.address)] : []),
          ],
          ...(ok ? {} : { remedy: remedyFor(probe.state, source.name, where) }),
        });
      }
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
