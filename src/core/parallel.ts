/** Runs tasks with at most `width` of them at once; resolves when all are done, rejects with the first error (after the running ones end). */
export async function inParallel(tasks: ReadonlyArray<() => Promise<void>>, width: number): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | null = null;
  const lane = async (): Promise<void> => {
    while (failure === null && next < tasks.length) {
      const task = tasks[next++]!;
      try {
        await task();
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(width, tasks.length)) }, lane));
  if (failure !== null) throw (failure as { error: unknown }).error;
}
