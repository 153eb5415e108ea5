/**
 * Ordering of the sidebar's sections by rank.
 */

/**
 * Where a section of `rank` goes among sections of `ranks` (in display
 * order): after every section of lower or equal rank, so equal ranks keep the
 * order they were added in.
 */
export function sectionIndex(ranks: readonly number[], rank: number): number {
  const index = ranks.findIndex(r => r > rank);
  return index === -1 ? ranks.length : index;
}
