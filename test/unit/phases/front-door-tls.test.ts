import { describe, expect, it } from 'vitest';
import { tlsSentence, withFrontDoorTls } from '../../../src/phases/install/gather-facts.js';
import { frontDoorTlsStatus } from '../../../src/phases/status/status-report.js';
import { generateSecrets, saveState, type InstallState } from '../../../src/state/state-file.js';
import { frontDoorTlsFor, RENEW_DAYS, SERVER_DAYS } from '../../../src/tls/certificates.js';
import { tierDir } from '../../../src/core/host-paths.js';
import { TLS_CA_KEY_PATH, TLS_CA_PATH, TLS_CERTIFICATE_PATH } from '../../../src/render/haproxy.js';
import { fakeStack, plannedInstall } from '../support/fake-stack.js';
import { frontDoorNames } from '../../../src/plan/desired-stack.js';

const DAY = 24 * 3600 * 1000;
const NOW = new Date('2026-12-07T12:00:00Z');
const state: InstallState = { version: 1, environment: 'lab', secrets: generateSecrets() };

describe("install's TLS decision", () => {
  it('makes the material on the first install, keeps it on the next, and touches nothing with TLS off', () => {
    const first = withFrontDoorTls(state, { frontDoorTls: 'generated', environment: 'lab' }, ['web-01'], NOW);
    expect(first.tls?.change).toEqual({ kind: 'created' });
    expect(first.state.secrets.minioSecretKey).toBe(state.secrets.minioSecretKey);
    expect(first.state.secrets.frontDoorTls).toBeDefined();
    const again = withFrontDoorTls(first.state, { frontDoorTls: 'generated', environment: 'lab' }, ['web-01'], NOW);
    expect(again.tls?.change).toEqual({ kind: 'kept' });
    expect(again.state).toEqual(first.state);
    const off = withFrontDoorTls(first.state, { frontDoorTls: 'off', environment: 'lab' }, ['web-01'], NOW);
    expect(off).toEqual({ state: first.state, tls: null });
  });

  it('says what it did in the plan line', () => {
    expect(tlsSentence({ change: { kind: 'created' }, names: ['web-01', '10.0.0.11'] })).toBe(
      'a CA and a front door certificate for web-01, 10.0.0.11 are made',
    );
    expect(tlsSentence({ change: { kind: 'renewed', why: 'it does not name web-02' }, names: ['web-02'] })).toMatch(
      /issued again for web-02 under the same CA: it does not name web-02/,
    );
    expect(tlsSentence({ change: { kind: 'new-ca', why: 'x' }, names: ['w'] })).toMatch(/agents need the new CA/);
  });
});

describe("status's certificate line", () => {
  const { state: s } = withFrontDoorTls(state, { frontDoorTls: 'generated', environment: 'lab' }, ['web-01'], NOW);
  const certificate = s.secrets.frontDoorTls!.certificate;

  it('reports the names, the end and the days left, without a warning while far', () => {
    const { status, warning } = frontDoorTlsStatus(certificate, NOW);
    expect(status.names).toEqual(['web-01']);
    expect(status.daysLeft).toBe(SERVER_DAYS);
    expect(status.fingerprint256).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    expect(warning).toBeNull();
  });

  it(`warns ${RENEW_DAYS} days before the end, and after it, naming install`, () => {
    const near = frontDoorTlsStatus(certificate, new Date(NOW.getTime() + (SERVER_DAYS - 10) * DAY));
    expect(near.status.daysLeft).toBe(10);
    expect(near.warning).toMatch(/certificate ends on .* \(in 10 days\): run `heal-pyroscope install`/);
    const past = frontDoorTlsStatus(certificate, new Date(NOW.getTime() + (SERVER_DAYS + 2) * DAY));
    expect(past.warning).toMatch(/certificate ended on/);
  });
});

describe("install's facts phase and the web host's CA", () => {
  it("serves the CA the web host holds, not a new one, when this machine's state has none", async () => {
    const stack = fakeStack();
    await saveState(stack.statePath, state);
    const { tls } = frontDoorTlsFor(undefined, 'lab', ['web-01'], new Date());
    const at = (p: string) => `${tierDir('web')}/${p}`;
    stack.web.onExec(`test -e ${at(TLS_CA_PATH)}`, { code: 0 });
    stack.web.onExec(`cat -- ${at(TLS_CA_PATH)}`, { stdout: tls.caCertificate });
    stack.web.onExec(`cat -- ${at(TLS_CA_KEY_PATH)}`, { stdout: tls.caKey });
    stack.web.onExec(`cat -- ${at(TLS_CERTIFICATE_PATH)}`, {
      stdout: `${tls.certificate}${tls.caCertificate}${tls.key}`,
    });
    const ctx = await plannedInstall(stack);
    const served = ctx.planned.state.current.secrets.frontDoorTls!;
    expect(served.caCertificate).toBe(tls.caCertificate);
    expect(served.caKey).toBe(tls.caKey);
    // A certificate for the fake web host's names, under that same CA.
    expect(ctx.report.tls?.change.kind).toBe('renewed');
  });
});

describe('the names the door answers to', () => {
  it('are the web host as written, its address and frontDoor.names, once each', () => {
    const names = frontDoorNames(
      { web: { host: 'web-01' } as never, frontDoorNames: ['profiling.internal', 'web-01'] },
      {
        web: '10.0.0.11',
      },
    );
    expect(names).toEqual(['web-01', '10.0.0.11', 'profiling.internal']);
    const made = withFrontDoorTls(state, { frontDoorTls: 'generated', environment: 'lab' }, names, NOW);
    expect(frontDoorTlsStatus(made.state.secrets.frontDoorTls!.certificate, NOW).status.names).toEqual(names);
  });
});
