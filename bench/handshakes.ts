// Benchmark: SSH handshakes per host for a preflight-like workload on every lab host (a few
// commands, Docker version and container list, a TCP probe). The transport promises exactly one
// handshake per host (two for a host behind a jump host); this measures it on the lab.
// Run alone: node --import tsx bench/handshakes.ts   (needs the lab: test/lab/lab.sh up)

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { FLOWS } from '../src/stack/manifest.js';
import type { Tier } from '../src/stack/manifest.js';
import type { SshTarget } from '../src/remote/index.js';
import { connectAll, nonInteractive, openSessionCount } from '../src/remote/index.js';
import { labTarget } from '../test/support/lab-targets.js';

interface LabHost {
  name: string;
  tier: string;
  address: string;
  sshPort: number;
  dockerSocket: string | null;
  jumpHost: string | null;
}
interface LabState {
  keys: { root: string };
  knownHosts: string;
  hosts: LabHost[];
}

export interface HandshakeRow {
  host: string;
  tier: string;
  via: string | null;
  /** Remote operations performed over the session (commands, Docker calls, probes). */
  operations: number;
  /** Handshakes on the host's own session. */
  own: number;
  /** Including the jump host's session. */
  path: number;
  expected: number;
  /** Logins sshd logged on this host during the run (anyone else's logins in that window count too). */
  sshdAccepted: number | null;
  ok: boolean;
}

const DEFAULT_LAB_JSON = new URL('../test/lab/.run/lab.json', import.meta.url);
const LAB_STATE_DIR = process.env['LAB_STATE_DIR'] ?? '/var/lib/hplab';

/** Completed SSH logins ("Accepted publickey/password for ...") in a lab host's own sshd log. */
export function acceptedCount(host: string): number | null {
  try {
    return readFileSync(join(LAB_STATE_DIR, 'hosts', host, 'logs', 'sshd.log'), 'utf8')
      .split('\n')
      .filter((l) => /Accepted \S+ for /.test(l)).length;
  } catch {
    return null;
  }
}

function targetsOf(lab: LabState): SshTarget[] {
  return lab.hosts.map((h) => labTarget(lab, h.name));
}

/** Connects to every lab host, runs the workload, and reports handshakes per host. */
export async function runHandshakeBench(labJson: string | URL = DEFAULT_LAB_JSON): Promise<HandshakeRow[]> {
  const lab = JSON.parse(readFileSync(labJson, 'utf8')) as LabState;
  const before = new Map(lab.hosts.map((h) => [h.name, acceptedCount(h.name)]));
  const fleet = await connectAll(targetsOf(lab), { interaction: nonInteractive, concurrency: 8 });
  const operations = new Map<string, number>();
  try {
    for (const [name, error] of fleet.failures) throw new Error(`${name}: ${error.message}`);
    await Promise.all(
      lab.hosts.map(async (h) => {
        const host = fleet.host(h.name);
        const calls: Array<Promise<unknown>> = [
          host.exec(['uname', '-sr']),
          host.exec(['id', '-u']),
          host.exec(['cat', '/etc/os-release']),
        ];
        if (h.dockerSocket) calls.push(host.engine.version(), host.engine.listContainers());
        // The flow this tier opens in the stack (web -> app:4040, ...), else the host's own sshd.
        const flow = FLOWS.find((f) => f.from === (h.tier as Tier));
        const peer = flow && lab.hosts.find((p) => p.tier === flow.to);
        calls.push(peer ? host.probeTcp(peer.address, flow.ports[0] ?? 22) : host.probeTcp('127.0.0.1', h.sshPort));
        await Promise.all(calls);
        operations.set(h.name, calls.length);
      }),
    );
    const counts = new Map(fleet.handshakes().map((c) => [c.name, c]));
    return lab.hosts.map((h) => {
      const count = counts.get(h.name);
      const expected = h.jumpHost ? 2 : 1;
      const after = acceptedCount(h.name);
      const start = before.get(h.name);
      return {
        host: h.name,
        tier: h.tier,
        via: h.jumpHost,
        operations: operations.get(h.name) ?? 0,
        own: count?.own ?? 0,
        path: count?.path ?? 0,
        expected,
        sshdAccepted: after !== null && start !== null && start !== undefined ? after - start : null,
        ok: count?.path === expected && count.own === 1,
      };
    });
  } finally {
    await fleet.close();
  }
}

export function formatHandshakeTable(rows: readonly HandshakeRow[]): string {
  const header = ['host', 'tier', 'via', 'operations', 'handshakes', 'with jump', 'expected', 'sshd logins', 'result'];
  const body = rows.map((r) => [
    r.host,
    r.tier,
    r.via ?? '-',
    String(r.operations),
    String(r.own),
    String(r.path),
    String(r.expected),
    r.sshdAccepted === null ? 'n/a' : String(r.sshdAccepted),
    r.ok ? 'ok' : 'FAIL',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]?.length ?? 0)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const rows = await runHandshakeBench();
  console.log(formatHandshakeTable(rows));
  console.log(`sessions still open after close: ${openSessionCount()}`);
  process.exitCode = rows.every((r) => r.ok) ? 0 : 1;
}
