// What a command run on a host or locally returns: the exit status and its two streams.

export interface ExecResult {
  /** Exit status; null when the command died from a signal or the channel closed without one. */
  code: number | null;
  signal?: string;
  stdout: string;
  stderr: string;
}
