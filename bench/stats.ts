/** Small statistics for the benchmark figures. */

export const MiB = 1024 * 1024;

/** The value at fraction `p` of the sorted values (nearest rank); NaN for none. */
export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] ?? NaN;
}

export const median = (values: readonly number[]) => percentile(values, 0.5);

export const round = (value: number, digits = 1) => Number(value.toFixed(digits));

/** One pair of alternated runs. */
export interface Pair<A, B> {
  readonly a: A;
  readonly b: B;
}

/**
 * Runs `a` then `b`, `count` times over (a, b, a, b, ...), so that load from the rest of the machine falls on
 * both sides alike; a ratio taken within each pair then compares runs made under the same load.
 */
export async function alternatedPairs<A, B>(
  count: number,
  a: (index: number) => Promise<A>,
  b: (index: number) => Promise<B>,
): Promise<Pair<A, B>[]> {
  const pairs: Pair<A, B>[] = [];
  for (let index = 0; index < count; index++) pairs.push({ a: await a(index), b: await b(index) });
  return pairs;
}
