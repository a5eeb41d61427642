// Runs undo steps (core/undo-step.ts) on their hosts: each safe to run late, by ID, only if empty,
// only if still the same. Used by the runner's rollback and by finish-undo for a kept step.

import { HealError } from '../core/errors.js';
import type { HostUndo } from '../core/undo-step.js';
import type { HostHandle } from '../remote/index.js';
import { LABELS } from '../stack/manifest.js';
import { APPLY_SCRIPT, REMOVE_SCRIPT, restoreText } from '../stack/flow-rules.js';

async function sh(remote: HostHandle, host: string, argv: string[], what: string): Promise<string> {
  const result = await remote.root.exec(argv, { timeoutMs: 30_000 });
  if (result.code !== 0)
    throw new HealError({
      code: 'undo.files',
      message: `cannot ${what} on ${host}: ${result.stderr.trim() || `exit ${result.code}`}`,
    });
  return result.stdout;
}

// $@: directories, deepest first. Removes each that is empty; prints those left because they are not.
const RMDIR_SCRIPT =
  'for d in "$@"; do if [ -d "$d" ]; then rmdir -- "$d" 2>/dev/null || printf \'%s\\n\' "$d"; fi; done';
// $1: backup, $2: path. Puts the backup back when it is still there (a second run finds it gone).
const RESTORE_SCRIPT = 'if [ -e "$1" ]; then mv -f -- "$1" "$2"; fi';

/** Runs one undo step on its host; a step whose object is already gone is done. */
export async function runUndo(remote: HostHandle, step: HostUndo): Promise<void> {
  const engine = remote.engine;
  switch (step.kind) {
    case 'remove-container':
      await engine.removeContainer(step.id);
      return;
    case 'remove-network':
      await engine.removeNetwork(step.id);
      return;
    case 'remove-volume': {
      const now = (await engine.listVolumes()).find((v) => v.name === step.name);
      if (!now) return;
      if (now.labels[LABELS.createdBy] !== step.run) {
        throw new HealError({
          code: 'rollback.volume-replaced',
          message:
            `volume ${step.name} on ${step.host} is not the one the failed run created (made again ` +
            `since): not removed, it may hold someone's data`,
        });
      }
      await engine.removeVolume(step.name);
      return;
    }
    case 'remove-file':
      await sh(remote, step.host, ['rm', '-f', '--', step.path], `remove ${step.path}`);
      return;
    case 'restore-file':
      await sh(remote, step.host, ['sh', '-c', RESTORE_SCRIPT, 'sh', step.backup, step.path], `put back ${step.path}`);
      return;
    case 'remove-directories': {
      const left = (
        await sh(
          remote,
          step.host,
          ['sh', '-c', RMDIR_SCRIPT, 'sh', ...step.paths],
          'remove the configuration directories',
        )
      )
        .split('\n')
        .filter((l) => l !== '');
      if (left.length > 0)
        throw new HealError({
          code: 'rollback.directories',
          message: `left ${left.join(', ')} on ${step.host}: not empty (holds files this run did not write)`,
        });
      return;
    }
    case 'stop-container':
      await engine.stopContainer(step.name);
      return;
    case 'put-back-container': {
      const current = await engine.inspectContainer(step.name);
      if (current && current.id !== step.id) await engine.removeContainer(current.id);
      if (!(await engine.inspectContainer(step.id))) {
        throw new HealError({
          code: 'rollback.container-gone',
          message: `the previous ${step.name} on ${step.host} is gone: it cannot be put back`,
          hint: 'run install again to create it',
        });
      }
      if (current?.id !== step.id) await engine.renameContainer(step.id, step.name);
      await engine.startContainer(step.id);
      return;
    }
    case 'remove-image': {
      const removal = await engine.removeImage(step.ref);
      if (removal.result === 'in-use')
        throw new HealError({
          code: 'rollback.image-in-use',
          message: `${step.ref} on ${step.host} is still used: ${removal.detail}`,
        });
      return;
    }
    case 'restore-flow-rules':
      await setFlowRules(remote, step.host, step.rules);
      return;
  }
}

/** Makes the host's flow chain hold exactly `rules` (`-A` lines); none removes the chain and its jump. */
export async function setFlowRules(remote: HostHandle, host: string, rules: readonly string[]): Promise<void> {
  const result =
    rules.length === 0
      ? await remote.root.exec(['sh', '-c', REMOVE_SCRIPT], { timeoutMs: 30_000 })
      : await remote.root.exec(['sh', '-c', APPLY_SCRIPT], { timeoutMs: 30_000, stdin: restoreText(rules) });
  if (result.code !== 0)
    throw new HealError({
      code: 'flows.apply',
      message: `cannot ${rules.length === 0 ? 'remove' : 'set'} the flow rules on ${host}: ${
        result.stderr.trim() || `exit ${result.code}`
      }`,
      hint: 'check iptables on the host (`iptables -S`), or set `flows.restrict: false`',
    });
}
