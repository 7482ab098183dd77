/**
 * The smallest integer n >= from for which `fits(n)` holds, assuming that once it holds it keeps
 * holding (true of every row and window count in this module). Doubling then bisecting keeps it
 * fast even for shares like 0.001 that need hundreds of thousands of rows.
 */
export function smallestSatisfying(fits: (n: number) => boolean, from = 1): number {
  if (fits(from)) return from;
  let below = from;
  let above = Math.max(from * 2, from + 1);
  while (!fits(above)) {
    below = above;
    above *= 2;
    if (!Number.isSafeInteger(above)) {
      throw new RangeError('No count satisfies the condition');
    }
  }
  while (above - below > 1) {
    const middle = Math.floor((below + above) / 2);
    if (fits(middle)) above = middle;
    else below = middle;
  }
  return above;
}
