import { describe, expect, it } from 'vitest';
import { auditEntry, auditLine, parseAuditLine } from '../../../src/phases/shared/audit.js';
import { runPhases } from '../../../src/runner/runner.js';
import type { Phase, RunOutcome } from '../../../src/runner/phase.js';

const owner = { by: 'ops@laptop', command: 'install' as const, runId: 'r1' };

describe('the audit record', () => {
  it('holds who, what, when, how it ended and what changed, and reads back', () => {
    const when = new Date('2026-12-07T10:00:00Z');
    const ok = auditEntry(owner, { ok: true, changed: ['containers: 5 created'] }, ['web-01'], '0.1.0', when);
    expect(ok).toEqual({
      time: '2026-12-07T10:00:00.000Z',
      by: 'ops@laptop',
      command: 'install',
      runId: 'r1',
      version: '0.1.0',
      outcome: 'ok',
      hosts: ['web-01'],
      changed: ['containers: 5 created'],
    });
    expect(parseAuditLine(auditLine(ok))).toEqual(ok);
    const failed = auditEntry(owner, { ok: false, code: 'install.conflict', message: 'm' }, ['web-01']);
    expect(failed.outcome).toBe('install.conflict');
    expect(parseAuditLine('not json')).toBeNull();
    expect(parseAuditLine('{"time":1}')).toBeNull();
  });

  it('is told the summaries of the phases that changed hosts, and none of a failed run', async () => {
    const told: RunOutcome[] = [];
    const phase = (id: string, readOnly: boolean, fail = false): Phase<object> => ({
      id,
      title: id,
      readOnly,
      async run(_ctx, io) {
        if (id === 'lock') io.journal.finally('record', async (o) => void told.push(o));
        if (fail) throw new Error('boom');
        return `${id} done`;
      },
    });
    await runPhases([phase('facts', true), phase('lock', false), phase('files', false)], {});
    expect(told[0]).toEqual({ ok: true, changed: ['lock: lock done', 'files: files done'] });
    // The record keeps what changed the hosts: not the lock.
    expect(auditEntry(owner, told[0]!, ['web-01']).changed).toEqual(['files: files done']);
    await runPhases([phase('lock', false), phase('files', false, true)], {});
    expect(told[1]).toMatchObject({ ok: false, changed: [] });
  });
});
