// Ctrl-C during install or uninstall: the first press asks the run to stop and roll back (the
// runner checks between steps); a second press exits at once with 130, leaving what is on the hosts.
// `logs --follow` uses the same handler with its own words: the first press ends the streams.
import { ExitCode } from '../core/errors.js';
import type { Output } from './output.js';

export interface InterruptWords {
  /** Said at the first Ctrl-C (nothing when empty). */
  first: string;
  /** Said at the second, before exiting at once. */
  again: string;
}

const ROLLBACK_WORDS: InterruptWords = {
  first: 'interrupted: stopping and rolling back (press Ctrl-C again to exit at once)',
  again: 'interrupted again: exiting without finishing the rollback; run `heal-pyroscope uninstall` to clean up',
};

/** Catches Ctrl-C until disposed; the first press aborts `controller` (also aborted by `external`), a second exits. */
export function interruptSignal(
  out: Output,
  external?: AbortSignal,
  words: InterruptWords = ROLLBACK_WORDS,
  controller = new AbortController(),
): { signal: AbortSignal; dispose(): void } {
  const onExternal = () => controller.abort();
  external?.addEventListener('abort', onExternal, { once: true });
  if (external?.aborted) controller.abort();
  const onSigint = () => {
    if (controller.signal.aborted) {
      out.warn(words.again);
      process.exit(ExitCode.interrupted);
    }
    if (words.first) out.warn(words.first);
    controller.abort();
  };
  process.on('SIGINT', onSigint);
  return {
    signal: controller.signal,
    dispose: () => {
      process.off('SIGINT', onSigint);
      external?.removeEventListener('abort', onExternal);
    },
  };
}
