// The uninstall, as an ordered list of phases. Nothing here is rolled back: every step removes
// only what carries our labels, lives in our directories or is recorded as pulled by an install,
// and a rerun finishes what one left.

import { guardWarningPhase } from '../shared/guard.js';
import { finishUndoPhase } from '../../runner/finish-undo.js';
import { lockPhase } from '../shared/lock.js';
import type { Phase } from '../../runner/phase.js';
import { purgeImagesPhase } from './purge-images.js';
import {
  connectServersPhase,
  findPhase,
  purgeStatePhase,
  purgeVolumesPhase,
  removeContainersPhase,
  removeFilesPhase,
  removeFlowRulesPhase,
  removeNetworkPhase,
} from './remove.js';
import type { UninstallContext } from './uninstall-context.js';
import { HealError } from '../../core/errors.js';
import { describeLeft } from '../../state/pending-undo.js';
import { unreachableServers } from '../shared/reachable.js';

export function uninstallPhases(): Phase<UninstallContext>[] {
  return [
    connectServersPhase,
    guardWarningPhase,
    lockPhase<UninstallContext>('uninstall'),
    finishUndoPhase<UninstallContext>('reported'),
    findPhase,
    removeContainersPhase,
    removeNetworkPhase,
    removeFlowRulesPhase,
    removeFilesPhase,
    purgeVolumesPhase,
    purgeImagesPhase,
    purgeStatePhase,
  ];
}

/**
 * Why an uninstall whose phases passed is not done (exit 1): a server host it could not reach, or an
 * undo step a failed install left that still cannot run. A rerun finishes either.
 */
export function unfinishedError(ctx: Pick<UninstallContext, 'hosts' | 'undo'>): HealError | undefined {
  const unreachable = unreachableServers(ctx.hosts);
  const pending = ctx.undo.left.map((l) => `still pending: ${describeLeft(l)} (${l.why})`);
  if (unreachable.length > 0) {
    return new HealError({
      code: 'uninstall.unreachable',
      message: `not reached, so not cleaned: ${unreachable.map((u) => u.machine).join(', ')}`,
      details: [...unreachable.map((u) => `${u.machine}: ${u.error}`), ...pending],
      hint: 'run `heal-pyroscope uninstall` again once they are reachable to finish',
    });
  }
  if (pending.length === 0) return undefined;
  return new HealError({
    code: 'undo.pending',
    message:
      `${pending.length === 1 ? 'an undo' : `${pending.length} undos`} left by a failed install could ` +
      `not run; kept in ${ctx.undo.path}`,
    details: pending,
    hint: 'the next install or uninstall finishes them first, once their hosts and engines answer',
  });
}
