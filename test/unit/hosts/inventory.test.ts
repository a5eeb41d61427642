import { describe, expect, it } from 'vitest';
import type { HostSpec, Topology } from '../../../src/config/topology.js';
import { Inventory } from '../../../src/hosts/inventory.js';
import { topology } from '../support/fake-stack.js';

const entry = (tier: HostSpec['tier'], host: string, over: Partial<HostSpec> = {}): HostSpec => ({
  tier,
  name: host,
  host,
  ssh: { user: 'root', port: 22, agent: false, knownHostsFile: '/k' },
  dockerSocket: '/var/run/docker.sock',
  ...over,
});
const oneMachine = (over: Partial<Record<'web' | 'app' | 'db', Partial<HostSpec>>> = {}): Topology => ({
  ...topology(),
  targets: [entry('target', 't1')],
  web: entry('web', 'one', over.web),
  app: entry('app', 'one', over.app),
  db: entry('db', 'one', over.db),
});

describe('inventory of machines', () => {
  it('makes one host per machine, whatever tiers it serves', () => {
    const inventory = Inventory.of(oneMachine());
    expect(inventory.hosts.map((h) => `${h.name}: ${h.tiers.join(',')}`)).toEqual(['t1: target', 'one: web,app,db']);
    expect(inventory.forTier('app')).toBe(inventory.forTier('db'));
    expect(inventory.servers().map((h) => h.name)).toEqual(['one']);
  });

  it('keeps hosts apart that differ in SSH user or port', () => {
    const t = oneMachine({ db: { ssh: { user: 'root', port: 2222, agent: false, knownHostsFile: '/k' } } });
    expect(
      Inventory.of(t)
        .servers()
        .map((h) => `${h.name}:${h.ssh.port}`),
    ).toEqual(['one:22', 'one:2222']);
  });

  it("uses hosts.db.dockerSocket for a machine that db shares with web and app (not the first entry's default)", () => {
    const inventory = Inventory.of(oneMachine({ db: { dockerSocket: '/run/docker-rootless.sock' } }));
    expect(inventory.forTier('web').dockerSocket).toBe('/run/docker-rootless.sock');
  });

  it('gives a machine whose entries name no socket the default one', () => {
    expect(Inventory.of(oneMachine()).forTier('app').dockerSocket).toBe('/var/run/docker.sock');
  });

  it('ignores a target entry on the same machine when choosing the socket', () => {
    const t: Topology = {
      ...oneMachine({ web: { dockerSocket: '/srv/docker.sock' } }),
      targets: [entry('target', 'one', { dockerSocket: '/var/run/docker.sock' })],
    };
    const inventory = Inventory.of(t);
    expect(inventory.hosts).toHaveLength(1);
    expect(inventory.forTier('web').dockerSocket).toBe('/srv/docker.sock');
  });

  it('refuses two server tiers on one machine that name different sockets, as a config error', () => {
    expect(() =>
      Inventory.of(oneMachine({ web: { dockerSocket: '/srv/one.sock' }, db: { dockerSocket: '/srv/other.sock' } })),
    ).toThrow(
      expect.objectContaining({
        code: 'config.docker-socket',
        exitCode: 2,
        message: expect.stringContaining('/srv/other.sock'),
      }),
    );
  });

  it('names the hosts that could not be connected, with why', () => {
    const inventory = Inventory.of(oneMachine());
    const [target] = inventory.hosts;
    target!.connectError = Object.assign(new Error('refused'), {
      code: 'ssh.refused',
      hint: 'start sshd',
      exitCode: 1,
      details: [],
    }) as never;
    expect(inventory.unreachable().map((u) => u.host.name)).toEqual(['t1', 'one']);
    expect(() => inventory.forTier('web').remote).toThrow(/not connected to one/);
  });
});
