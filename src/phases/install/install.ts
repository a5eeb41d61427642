// The install, as an ordered list of phases. The guard runs right after connecting, before even
// the facts are read, so a production host is refused before anything else is said about it; the
// lock comes next, so the facts and the plan cannot go stale under a concurrent run. After the
// checks, each machine goes on as soon as what it needs is there (`after`, and each machine's
// images announced on its own): images, files and networks at the same time; MinIO once db's image is in,
// while the app host still pulls; the services once MinIO's buckets exist; HAProxy once the
// services answer (front-door.ts says why). Verify and the record wait for everything.

import { configurationPhase } from './configuration.js';
import { finishUndoPhase } from '../../runner/finish-undo.js';
import { connectPhase } from '../shared/connect.js';
import { afterPlanning, type InstallContext } from './context.js';
import { frontDoorPhase } from './front-door.js';
import { gatherFactsPhase } from './gather-facts.js';
import { guardPhase } from '../shared/guard.js';
import { imagesPhase } from './images.js';
import { lockPhase } from '../shared/lock.js';
import { networkPhase } from './network.js';
import { flowsPhase } from './flows.js';
import type { Phase } from '../../runner/phase.js';
import { installChecksPhase } from '../preflight/checks-phase.js';
import { recordPhase } from './record.js';
import { servicesPhase } from './services.js';
import { storagePhase } from './storage.js';
import { verifyPhase } from './verify-endpoints.js';

export function installPhases(): Phase<InstallContext>[] {
  return [
    connectPhase,
    guardPhase,
    lockPhase<InstallContext>('install'),
    // Before the facts: the plan must not build on what a failed run left.
    finishUndoPhase<InstallContext>('fails'),
    gatherFactsPhase,
    installChecksPhase,
    ...[
      imagesPhase,
      configurationPhase,
      networkPhase,
      flowsPhase,
      storagePhase,
      servicesPhase,
      frontDoorPhase,
      verifyPhase,
      recordPhase,
    ].map(afterPlanning),
  ];
}
