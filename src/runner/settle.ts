// Like Promise.all, but waits for every operation to end before failing: a rollback must never start
// while another host is still changing something (its later changes would be journalled after the
// undo began). Phases that work on several hosts or containers at once end through this.

export async function settleAll<T>(operations: readonly Promise<T>[]): Promise<T[]> {
  const settled = await Promise.allSettled(operations);
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) throw failed.reason;
  return settled.map((s) => (s as PromiseFulfilledResult<T>).value);
}
