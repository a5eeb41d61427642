import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { Deadline } from '../../../src/remote/deadline.js';
import {
  HostKeyVerifier,
  KnownHostsCache,
  appendKnownHost,
  preferredHostKeyAlgorithms,
} from '../../../src/remote/host-key.js';
import type { Interaction } from '../../../src/remote/interaction.js';
import { InteractionGate, nonInteractive } from '../../../src/remote/interaction.js';
import type { SshTarget } from '../../../src/remote/target.js';

const KEY_A = Buffer.from('AAAAC3NzaC1lZDI1NTE5AAAAIFJFAzO5XJph5jweYdma8KLIfIYyrDYZiBCjNZWvOYyo', 'base64');
const KEY_B = Buffer.from('AAAAC3NzaC1lZDI1NTE5AAAAIK0Ma746fi0f9UwgBDBheknlHjy0VyALmShUo6B46HSM', 'base64');

const deadlines: Deadline[] = [];
const dirs: string[] = [];
afterEach(() => deadlines.splice(0).forEach((d) => d.clear()));
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function setup(knownHosts?: string) {
  const dir = mkdtempSync(join(tmpdir(), 'heal-hostkey-'));
  dirs.push(dir);
  const file = join(dir, 'ssh', 'known_hosts');
  if (knownHosts !== undefined) {
    writeFileSync(join(dir, 'kh'), knownHosts);
  }
  const target: SshTarget = {
    name: 'web-01',
    host: '10.213.0.11',
    port: 22,
    user: 'root',
    knownHostsFile: knownHosts === undefined ? file : join(dir, 'kh'),
    dockerSocket: '/var/run/docker.sock',
  };
  return { target, file: target.knownHostsFile };
}

function verifier(target: SshTarget, interaction: Interaction, acceptNew = false): HostKeyVerifier {
  const deadline = new Deadline(60_000, () => undefined);
  deadlines.push(deadline);
  return new HostKeyVerifier(target, new InteractionGate(interaction), acceptNew, deadline);
}

const asking = (answer: boolean, log: string[] = []): Interaction => ({
  ...nonInteractive,
  confirmHostKey: async (host, type, fp) => {
    log.push(`${host} ${type} ${fp}`);
    return answer;
  },
});

describe('HostKeyVerifier', () => {
  it('passes a key recorded in known_hosts without asking', async () => {
    const { target } = setup(`10.213.0.11 ssh-ed25519 ${KEY_A.toString('base64')}\n`);
    const v = verifier(target, nonInteractive);
    await v.verify(KEY_A);
    expect(v.outcome).toMatchObject({
      recorded: false,
      fingerprint: 'SHA256:nT65gIPBopT3n0BJh92nqwPGPUAvVQWGFvUt2SsgpbA',
    });
  });

  it('records an unknown key when new keys are accepted, creating the file', async () => {
    const { target, file } = setup();
    await verifier(target, nonInteractive, true).verify(KEY_A);
    expect(readFileSync(file, 'utf8')).toBe(`10.213.0.11 ssh-ed25519 ${KEY_A.toString('base64')}\n`);
  });

  it('fails an unknown key in non-interactive mode with the fingerprint', async () => {
    const { target } = setup();
    await expect(verifier(target, nonInteractive).verify(KEY_A)).rejects.toMatchObject({
      code: 'ssh.hostkey.unknown',
      message: expect.stringContaining('ED25519 SHA256:nT65gIPBopT3n0BJh92nqwPGPUAvVQWGFvUt2SsgpbA'),
    });
  });

  it('asks a person about an unknown key and records it when accepted', async () => {
    const { target, file } = setup();
    const log: string[] = [];
    await verifier(target, asking(true, log)).verify(KEY_A);
    expect(log).toEqual(['web-01 (root@10.213.0.11:22) ED25519 SHA256:nT65gIPBopT3n0BJh92nqwPGPUAvVQWGFvUt2SsgpbA']);
    expect(readFileSync(file, 'utf8')).toContain('10.213.0.11 ssh-ed25519');
  });

  it('refuses a key the person declines and records nothing', async () => {
    const { target, file } = setup();
    await expect(verifier(target, asking(false)).verify(KEY_A)).rejects.toMatchObject({ code: 'ssh.hostkey.rejected' });
    expect(() => readFileSync(file)).toThrow();
  });

  it('always refuses a changed key, even when new keys are accepted, naming file and line', async () => {
    const { target, file } = setup(`# lab\n10.213.0.11 ssh-ed25519 ${KEY_A.toString('base64')}\n`);
    const error = await verifier(target, asking(true), true)
      .verify(KEY_B)
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'ssh.hostkey.changed' });
    expect((error as Error).message).toContain(`line 2 of ${file}: someone may be intercepting the connection`);
    expect((error as { hint: string }).hint).toContain(`ssh-keygen -R '10.213.0.11' -f ${file}`);
  });

  it('refuses a revoked key', async () => {
    const { target } = setup(`@revoked * ssh-ed25519 ${KEY_A.toString('base64')}\n`);
    await expect(verifier(target, asking(true), true).verify(KEY_A)).rejects.toMatchObject({
      code: 'ssh.hostkey.revoked',
    });
  });

  it('asks once when two sessions meet the same unknown host at the same time', async () => {
    const { target } = setup();
    const log: string[] = [];
    const gate = new InteractionGate(asking(true, log));
    const make = () => {
      const d = new Deadline(60_000, () => undefined);
      deadlines.push(d);
      return new HostKeyVerifier(target, gate, false, d);
    };
    await Promise.all([make().verify(KEY_A), make().verify(KEY_A)]);
    expect(log).toHaveLength(1);
  });

  it("reads known_hosts once for a run's sessions (a shared cache), and again after recording a key", async () => {
    const { target, file } = setup(`10.213.0.11 ssh-ed25519 ${KEY_A.toString('base64')}\n`);
    const other: SshTarget = { ...target, name: 'app-01', host: '10.213.0.12' };
    const cache = new KnownHostsCache();
    const make = (t: SshTarget, acceptNew = false) => {
      const d = new Deadline(60_000, () => undefined);
      deadlines.push(d);
      return new HostKeyVerifier(t, new InteractionGate(nonInteractive), acceptNew, d, cache);
    };
    expect(await make(target).knownTypes()).toEqual(['ssh-ed25519']);
    writeFileSync(file, '');
    // Read once: the next sessions of the run do not read the (now emptied) file again.
    expect(await make(target).knownTypes()).toEqual(['ssh-ed25519']);
    await make(target).verify(KEY_A);
    // Recording a key drops the cached copy: the next session reads the file with it.
    const recording = make(other, true);
    await recording.verify(KEY_B);
    expect(recording.outcome).toMatchObject({ recorded: true });
    const next = make(other);
    await next.verify(KEY_B);
    expect(next.outcome).toMatchObject({ recorded: false });
    await expect(make(target).verify(KEY_A)).rejects.toMatchObject({ code: 'ssh.hostkey.unknown' });
  });
});

describe('appendKnownHost', () => {
  it('adds a newline first when the file does not end with one', async () => {
    const { target, file } = setup('host ssh-ed25519 AAAA');
    await appendKnownHost(target.knownHostsFile, 'other ssh-ed25519 BBBB');
    expect(readFileSync(file, 'utf8')).toBe('host ssh-ed25519 AAAA\nother ssh-ed25519 BBBB\n');
  });

  it('keeps parallel appends on separate lines', async () => {
    const { file } = setup('');
    await Promise.all(Array.from({ length: 20 }, (_, i) => appendKnownHost(file, `h${i} ssh-ed25519 K${i}`)));
    expect(readFileSync(file, 'utf8').trim().split('\n')).toHaveLength(20);
  });
});

describe('preferredHostKeyAlgorithms', () => {
  const supported = ['ssh-ed25519', 'ecdsa-sha2-nistp256', 'rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'];

  it('asks for the recorded key type first', () => {
    expect(preferredHostKeyAlgorithms(['ssh-rsa'], supported)).toEqual([
      'rsa-sha2-512',
      'rsa-sha2-256',
      'ssh-rsa',
      'ssh-ed25519',
      'ecdsa-sha2-nistp256',
    ]);
  });

  it('keeps the default order for an unknown host', () => {
    expect(preferredHostKeyAlgorithms([], supported)).toEqual(supported);
  });
});
