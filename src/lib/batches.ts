/** Runs `work` over items, `size` at a time: bounded concurrency without a queue library. */
export async function forEachInBatches<T>(items: readonly T[], size: number, work: (item: T) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(work));
}
