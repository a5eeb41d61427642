// Ctrl-C during install or uninstall: the first press asks the run to stop and roll back (the
// runner checks between steps); a second press exits at once with 130, leaving what is on the hosts.
import { ExitCode } from '../errors.js';
import type { Output } from './output.js';

export function interruptSignal(out: Output, external?: AbortSignal): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const onExternal = () => controller.abort();
  external?.addEventListener('abort', onExternal, { once: true });
  if (external?.aborted) controller.abort();
  const onSigint = () => {
    if (controller.signal.aborted) {
      out.warn('interrupted again: exiting without finishing the rollback; run `heal-pyroscope uninstall` to clean up');
      process.exit(ExitCode.interrupted);
    }
    out.warn('interrupted: stopping and rolling back (press Ctrl-C again to exit at once)');
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
