/**
 * Work run side by side: every part finishes before anything is reported, so a caller that cleans
 * up after a failure never races a part still on its way, and what the parts that worked did is
 * kept even when another failed.
 */

/**
 * Every part's items, in order; or, once all have finished, the first failure — after the items of
 * the parts that worked were added to `into`, when given.
 */
export async function settleAll<T>(parts: ReadonlyArray<Promise<T[]>>, into?: T[]): Promise<T[]> {
  const settled = await Promise.allSettled(parts);
  const done = settled.flatMap((s) => (s.status === 'fulfilled' ? s.value : []));
  into?.push(...done);
  const failed = settled.find((s) => s.status === 'rejected');
  if (failed) throw failed.reason;
  return done;
}
