// One error class for everything the operator can act on: a one-line cause, a next step, an exit code.
// The CLI prints `message` and `hint`; stack traces only with --verbose.

export const ExitCode = {
  ok: 0,
  failed: 1,
  usage: 2,
  guard: 3,
  interrupted: 130,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export interface HealErrorInit {
  /** Stable, machine-readable identifier, e.g. `config.invalid`, `ssh.auth`. */
  code: string;
  /** One line: what went wrong, naming the host, key or file. */
  message: string;
  /** One line: what the operator should do next. */
  hint?: string;
  exitCode?: ExitCode;
  cause?: unknown;
  /** Further lines (e.g. one per config problem) printed under the message. */
  details?: string[];
}

export class HealError extends Error {
  readonly code: string;
  readonly hint: string | undefined;
  readonly exitCode: ExitCode;
  readonly details: string[];

  constructor(init: HealErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = 'HealError';
    this.code = init.code;
    this.hint = init.hint;
    this.exitCode = init.exitCode ?? ExitCode.failed;
    this.details = init.details ?? [];
  }
}

export function isHealError(error: unknown): error is HealError {
  return error instanceof HealError;
}
