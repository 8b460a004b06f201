// Runs asynchronous work over a list with at most `limit` items in flight.

/**
 * Calls `work` for every item, `limit` at a time, in list order. Starts no new
 * item once `signal` is aborted or `work` has thrown; waits for those in flight,
 * then rethrows the first error.
 */
export async function forEachLimit<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>, signal?: AbortSignal): Promise<void> {
    let next = 0;
    let failure: { error: unknown } | undefined;
    const worker = async () => {
        while (next < items.length && !failure && !signal?.aborted) {
            const item = items[next++]!;
            try {
                await work(item);
            } catch (error) {
                failure ??= { error };
            }
        }
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
    if (failure) throw failure.error;
}
