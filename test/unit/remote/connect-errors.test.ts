import { describe, expect, it } from 'vitest';
import { handshakeFailure, sessionLost, tcpConnectFailure } from '../../../src/remote/connect-errors.js';
import type { SshTarget } from '../../../src/remote/target.js';

const web: SshTarget = {
  name: 'web-01',
  host: 'web-01.lab',
  port: 22,
  user: 'root',
  knownHostsFile: '/kh',
  dockerSocket: '/var/run/docker.sock',
};
const bastion: SshTarget = { ...web, name: 'bastion-01', host: '10.213.0.5' };
const inner: SshTarget = { ...web, name: 'inner-01', host: '10.214.0.2', jump: bastion };

const errno = (code: string) => Object.assign(new Error(`connect ${code}`), { code });
const channel = (description: string, reason = 2) =>
  Object.assign(new Error(`(SSH) Channel open failure: ${description}`), { reason });

describe('tcpConnectFailure', () => {
  it('reports an unresolvable name', () => {
    const e = tcpConnectFailure(web, errno('ENOTFOUND'), 10_000);
    expect(e).toMatchObject({
      code: 'ssh.resolve',
      message: 'Cannot resolve host name web-01.lab for web-01 (from here)',
    });
  });

  it('reports a refused connection as no SSH server on the port', () => {
    const e = tcpConnectFailure(web, errno('ECONNREFUSED'), 10_000);
    expect(e.code).toBe('ssh.refused');
    expect(e.message).toBe(
      'SSH connection to web-01 (root@web-01.lab:22) was refused: no SSH server listening on port 22',
    );
    expect(e.hint).toContain('sshd');
  });

  it('reports a timeout with the limit', () => {
    expect(tcpConnectFailure(web, { code: 'TIMEOUT' }, 10_000).message).toBe(
      'Connecting to web-01 (root@web-01.lab:22) timed out after 10 s (from here)',
    );
  });

  it('reports no route', () => {
    expect(tcpConnectFailure(web, errno('EHOSTUNREACH'), 1).code).toBe('ssh.unreachable');
  });

  it("maps the jump host's strerror text like a local errno", () => {
    expect(tcpConnectFailure(inner, channel('Connection refused'), 1)).toMatchObject({
      code: 'ssh.refused',
      message: expect.stringContaining('inner-01 (root@10.214.0.2:22 via bastion-01)'),
    });
    expect(tcpConnectFailure(inner, channel('Name or service not known'), 1).message).toContain('(from bastion-01)');
  });

  it('explains a jump host that does not allow TCP forwarding', () => {
    const e = tcpConnectFailure(inner, channel('open failed', 1), 1);
    expect(e.code).toBe('ssh.jump.prohibited');
    expect(e.hint).toContain('AllowTcpForwarding');
  });

  it('keeps every message on one line', () => {
    for (const code of ['ENOTFOUND', 'ECONNREFUSED', 'EHOSTUNREACH', 'TIMEOUT', 'EWHATEVER']) {
      const e = tcpConnectFailure(web, errno(code), 1000);
      expect(e.message).not.toContain('\n');
      expect(e.hint).toBeTruthy();
    }
  });
});

describe('handshakeFailure', () => {
  it('reports the ready timeout', () => {
    expect(handshakeFailure(web, { code: 'READY_TIMEOUT' }, 20_000)).toMatchObject({
      code: 'ssh.timeout',
      message: expect.stringContaining('within 20 s'),
    });
  });

  it('reports a server that hangs up during the handshake', () => {
    expect(handshakeFailure(web, new Error('Connection lost before handshake'), 1).code).toBe('ssh.closed');
  });

  it('reports algorithm negotiation failures', () => {
    expect(handshakeFailure(web, new Error('Handshake failed: no matching key exchange algorithm'), 1).hint).toContain(
      'algorithms',
    );
  });
});

describe('sessionLost', () => {
  it('names the host and the operation', () => {
    expect(sessionLost(web, 'run a command').message).toBe(
      'SSH connection to web-01 (root@web-01.lab:22) is closed; cannot run a command',
    );
  });
});
