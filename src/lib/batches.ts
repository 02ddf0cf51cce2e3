/**
 * Runs `work` over items with at most `size` in flight: a pool, so one slow item holds up
 * only its own slot, never a whole batch (bounded concurrency without a queue library).
 */
export async function forEachInBatches<T>(items: readonly T[], size: number, work: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  let failed = false;
  const worker = async (): Promise<void> => {
    try {
      while (next < items.length && !failed) await work(items[next++]!);
    } catch (error) {
      failed = true; // the others finish what they hold and take nothing more
      throw error;
    }
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, size), items.length) }, worker));
}
