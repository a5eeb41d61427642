// The uninstall, as an ordered list of phases. Nothing here is rolled back: every step removes
// only what carries our labels, lives in our directories or is recorded as pulled by an install,
// and a rerun finishes what one left.

import { finishUndoPhase } from '../../runner/finish-undo.js';
import { lockPhase } from '../shared/lock.js';
import type { Phase } from '../../runner/phase.js';
import { purgeImagesPhase } from './purge-images.js';
import { connectServersPhase, findPhase, purgeStatePhase, purgeVolumesPhase, removeContainersPhase, removeFilesPhase, removeNetworkPhase } from './remove.js';
import type { UninstallContext } from './uninstall-context.js';

export function uninstallPhases(): Phase<UninstallContext>[] {
  return [
    connectServersPhase,
    lockPhase<UninstallContext>('uninstall'),
    finishUndoPhase<UninstallContext>('reported'),
    findPhase,
    removeContainersPhase,
    removeNetworkPhase,
    removeFilesPhase,
    purgeVolumesPhase,
    purgeImagesPhase,
    purgeStatePhase,
  ];
}
