// Sessions must not outlive the run: closed on normal exit and on Ctrl-C, so no half-open SSH
// connection (or remote command) is left behind on the hosts. When the command has its own Ctrl-C
// handler (install and uninstall roll back over these very sessions), that handler owns the
// interrupt: the sessions stay open until it closes them, or until the process exits.

import type { SshSession } from './session.js';

const open = new Set<SshSession>();
let installed = false;

function onExit(): void {
  // 'exit' handlers must be synchronous: drop the sockets, the server notices at once.
  for (const session of open) session.destroy();
}

function onSigint(): void {
  // Another listener (the runner's interrupt) still needs the sessions to roll back and unlock.
  if (process.listenerCount('SIGINT') > 1) return;
  const sessions = [...open];
  void Promise.allSettled(sessions.map((s) => s.close())).then(() => {
    // Nobody else handles SIGINT: behave like the default handler would have.
    if (process.listenerCount('SIGINT') === 0) process.exit(130);
  });
  uninstall();
}

function install(): void {
  if (installed) return;
  installed = true;
  process.on('exit', onExit);
  process.on('SIGINT', onSigint);
}

function uninstall(): void {
  if (!installed) return;
  installed = false;
  process.off('exit', onExit);
  process.off('SIGINT', onSigint);
}

export function trackSession(session: SshSession): void {
  open.add(session);
  install();
  session.onClose(() => {
    open.delete(session);
    if (open.size === 0) uninstall();
  });
}

/** Sessions still open in this process (the benchmark and tests check that none leak). */
export function openSessionCount(): number {
  return open.size;
}
