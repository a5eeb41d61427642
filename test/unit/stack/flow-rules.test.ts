import { describe, expect, it } from 'vitest';
import {
  consoleGrants,
  describeRules,
  doorGrants,
  flowRules,
  namedSources,
  isOwnRule,
  parseHeldRules,
  restoreText,
  restrictedFlows,
  routeSource,
  ruleLines,
  rulesDrift,
  type MachineRules,
} from '../../../src/stack/flow-rules.js';

const WEB = { machine: 'web-01', address: '10.0.0.11' };
const APP = { machine: 'app-01', address: '10.0.0.12' };
const source = (flow: { from: string }) => (flow.from === 'web' ? WEB : APP);
const FLOWS = restrictedFlows({ otlpHttp: false });

describe('flow rules', () => {
  it('adds 4318 to the app host, from the web host only, with frontDoor.otlpHttp', () => {
    const rules = flowRules({ web: 'web-01', app: 'app-01', db: 'db-01' }, restrictedFlows({ otlpHttp: true }), source);
    expect(rules[0]!.ports.map((p) => p.port)).toEqual([3200, 4040, 4317, 4318, 14250]);
    expect(rules[0]!.ports.find((p) => p.port === 4318)?.from).toEqual([WEB]);
  });

  it('limits the app ports to the web host and MinIO to the app host, leaving the front door alone', () => {
    const rules = flowRules({ web: 'web-01', app: 'app-01', db: 'db-01' }, FLOWS, source);
    expect(rules).toEqual([
      {
        machine: 'app-01',
        ports: [3200, 4040, 4317, 14250].map((port) => ({ port, from: [WEB] })),
      },
      { machine: 'db-01', ports: [{ port: 9000, from: [APP] }] },
    ]);
    expect(rules.some((r) => r.machine === 'web-01')).toBe(false);
    expect(describeRules(rules[0]!)).toBe('3200, 4040, 4317, 14250 only from web-01 (10.0.0.11)');
  });

  it('gathers the rules of tiers that share a machine on that machine', () => {
    const rules = flowRules({ web: 'one', app: 'one', db: 'one' }, FLOWS, () => ({
      machine: 'one',
      address: '10.0.0.5',
    }));
    expect(rules).toHaveLength(1);
    expect(rules[0]!.ports.map((p) => p.port)).toEqual([3200, 4040, 4317, 9000, 14250]);
  });

  it('writes, per port, a return for each source then a TCP reset for anyone else, local bridges first', () => {
    const [app] = flowRules({ web: 'web-01', app: 'app-01', db: 'db-01' }, FLOWS, source);
    const lines = ruleLines(app!);
    expect(lines[0]).toMatch(
      /^-A HEAL-PYROSCOPE -i docker0 -m comment --comment "heal-pyroscope flows [0-9a-f]{16}" -j RETURN$/,
    );
    expect(lines[1]).toBe('-A HEAL-PYROSCOPE -i br-+ -j RETURN');
    const allow = lines.indexOf(
      '-A HEAL-PYROSCOPE -s 10.0.0.11/32 -p tcp -m conntrack --ctorigdstport 4040 --ctdir ORIGINAL -j RETURN',
    );
    const reject = lines.indexOf(
      '-A HEAL-PYROSCOPE -p tcp -m conntrack --ctorigdstport 4040 --ctdir ORIGINAL -j REJECT --reject-with tcp-reset',
    );
    expect(allow).toBeGreaterThan(1);
    expect(reject).toBe(allow + 1);
    expect(lines.every(isOwnRule)).toBe(true);
    const text = restoreText(lines);
    expect(text.split('\n').slice(0, 2)).toEqual(['*filter', ':HEAL-PYROSCOPE - [0:0]']);
    expect(text.endsWith('COMMIT\n')).toBe(true);
  });

  it('finds drift: none as written, missing, changed sources, a rule deleted, the jump gone', () => {
    const [app] = flowRules({ web: 'web-01', app: 'app-01', db: 'db-01' }, FLOWS, source) as [MachineRules];
    const held = (lines: string[], jump = true) => ({ lines, jump, noIptables: false });
    const lines = ruleLines(app);
    expect(rulesDrift(app, held(lines))).toBeNull();
    expect(rulesDrift(app, held([]))).toMatch(/missing/);
    const moved = ruleLines({
      ...app,
      ports: app.ports.map((p) => ({ ...p, from: [{ ...WEB, address: '10.0.0.99' }] })),
    });
    expect(rulesDrift(app, held(moved))).toMatch(/differ/);
    expect(rulesDrift(app, held(lines.slice(0, -1)))).toMatch(/differ/);
    expect(rulesDrift(app, held(lines, false))).toMatch(/not in force/);
    expect(rulesDrift(app, { lines: [], jump: false, noIptables: true })).toMatch(/no iptables/);
    // Not read (a non-root user without the root helper's image yet): said, never taken for "missing".
    expect(rulesDrift(app, { lines: [], jump: false, noIptables: false, unread: 'no helper' })).toBe(
      'flow rules not read: no helper',
    );
  });

  it('reads iptables -S output and the jump marker', () => {
    const held = parseHeldRules('-N HEAL-PYROSCOPE\n-A HEAL-PYROSCOPE -i br-+ -j RETURN\n#jump\n');
    expect(held).toEqual({ lines: ['-A HEAL-PYROSCOPE -i br-+ -j RETURN'], jump: true, noIptables: false });
    expect(parseHeldRules('#no-iptables\n').noIptables).toBe(true);
  });

  it('lets the front door answer the targets and the sources named, and opens it for 0.0.0.0/0', () => {
    const target = { machine: 'target-01', address: '10.0.0.21' };
    const named = namedSources('frontDoor.allowFrom', ['10.20.0.0/16']);
    const door = doorGrants('web-01', 9940, [target, ...named]);
    const rules = flowRules({ web: 'web-01', app: 'app-01', db: 'db-01' }, FLOWS, source, door);
    const web = rules.find((r) => r.machine === 'web-01')!;
    expect(web.ports).toEqual([{ port: 9940, from: [target, named[0]] }]);
    expect(describeRules(web)).toBe('9940 only from target-01 (10.0.0.21), frontDoor.allowFrom (10.20.0.0/16)');
    const lines = ruleLines(web);
    expect(lines).toContain(
      '-A HEAL-PYROSCOPE -s 10.20.0.0/16 -p tcp -m conntrack --ctorigdstport 9940 --ctdir ORIGINAL -j RETURN',
    );
    expect(lines).toContain(
      '-A HEAL-PYROSCOPE -s 10.0.0.21/32 -p tcp -m conntrack --ctorigdstport 9940 --ctdir ORIGINAL -j RETURN',
    );
    expect(lines.every(isOwnRule)).toBe(true);
    expect(doorGrants('web-01', 9940, [target, ...namedSources('frontDoor.allowFrom', ['0.0.0.0/0'])])).toEqual([]);
  });

  it('restricts the consoles only when they are published and sources are named for them', () => {
    const consoles = [
      { machine: 'app-01', port: 3000 },
      { machine: 'db-01', port: 9001 },
    ];
    const named = namedSources('consoles.allowFrom', ['10.20.5.0/24']);
    expect(consoleGrants(consoles, false, named)).toEqual([]);
    expect(consoleGrants(consoles, true, [])).toEqual([]);
    expect(consoleGrants(consoles, true, namedSources('consoles.allowFrom', ['0.0.0.0/0']))).toEqual([]);
    const rules = flowRules(
      { web: 'web-01', app: 'app-01', db: 'db-01' },
      FLOWS,
      source,
      consoleGrants(consoles, true, named),
    );
    expect(rules.find((r) => r.machine === 'app-01')!.ports.map((p) => p.port)).toEqual([
      3000, 3200, 4040, 4317, 14250,
    ]);
    expect(rules.find((r) => r.machine === 'db-01')!.ports).toEqual([
      { port: 9000, from: [APP] },
      { port: 9001, from: named },
    ]);
  });

  it('tells rules that should be there but name no source from rules in order', () => {
    const held = (lines: string[]) => ({ lines, jump: true, noIptables: false });
    expect(rulesDrift(null, held([]))).toMatch(/missing/);
    expect(rulesDrift(null, held(['-A HEAL-PYROSCOPE -i br-+ -j RETURN']))).toMatch(/differ/);
  });

  it('accepts back only rules of its own shape (a kept undo is read from disk)', () => {
    expect(isOwnRule('-A HEAL-PYROSCOPE -i br-+ -j RETURN')).toBe(true);
    expect(isOwnRule('-A HEAL-PYROSCOPE -j ACCEPT')).toBe(false);
    expect(isOwnRule('-A INPUT -p tcp --dport 22 -j DROP')).toBe(false);
    expect(
      isOwnRule(
        '-A HEAL-PYROSCOPE -p tcp -m conntrack --ctorigdstport 22 --ctdir ORIGINAL -j REJECT --reject-with tcp-reset\n-A INPUT -j DROP',
      ),
    ).toBe(false);
    expect(
      isOwnRule('-A HEAL-PYROSCOPE -s 0.0.0.0/0 -p tcp -m conntrack --ctorigdstport 4040 --ctdir ORIGINAL -j ACCEPT'),
    ).toBe(false);
  });

  it('takes the source address from `ip route get`', () => {
    expect(routeSource('10.0.0.12 dev eth0 src 10.0.0.11 uid 0 \n    cache \n')).toBe('10.0.0.11');
    expect(routeSource('local 10.0.0.12 dev lo src 10.0.0.12 uid 0\n')).toBe('10.0.0.12');
    expect(routeSource('RTNETLINK answers: Network is unreachable')).toBeUndefined();
  });
});
