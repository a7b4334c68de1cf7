/**
 * @module
 * The candidate nearest to a misspelt name, for "did you mean" hints: the smallest edit distance
 * (insertions, deletions, substitutions, swapped neighbours), at most a third of the name's length (and at least 1).
 * Bounded work: the distance is computed only inside the band that limit allows and stops as soon
 * as a row passes it; `NameHints` looks up each name once, for at most `MAX_HINTED_NAMES` distinct
 * names of at most `MAX_HINTED_NAME_LENGTH` characters, and counts every cell on the meter. Pure.
 */
import type { CheckBudget } from "./check-budget.ts";

/** Distinct names of one file that get a hint; the rest are reported without one. */
export const MAX_HINTED_NAMES = 50;
/** A longer name gets no hint (nobody misspells a name that long by a few letters). */
export const MAX_HINTED_NAME_LENGTH = 64;

/** Counts the cells the distances computed (tests read it to prove the bound). */
export interface CellCount {
  cells: number;
}

export function closestName(
  name: string,
  candidates: Iterable<string>,
  count?: CellCount,
  meter?: CheckBudget,
): string | undefined {
  const limit = Math.max(1, Math.floor(name.length / 3));
  let best: string | undefined;
  let bestDistance = limit + 1;
  for (const candidate of candidates) {
    if (candidate === name || Math.abs(candidate.length - name.length) > limit) continue;
    const distance = editDistance(name, candidate, bestDistance - 1, count, meter);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/**
 * Edit distance with adjacent transpositions counted as one edit (optimal string alignment);
 * with `atMost`, any distance above it is reported as `atMost + 1` and only the cells within
 * `atMost` of the diagonal are computed.
 */
export function editDistance(
  a: string,
  b: string,
  atMost: number = Math.max(a.length, b.length),
  count?: CellCount,
  meter?: CheckBudget,
): number {
  const over = atMost + 1;
  if (Math.abs(a.length - b.length) > atMost) return over;
  const width = b.length + 1;
  let before = new Array<number>(width).fill(over);
  let previous = Array.from({ length: width }, (_, index) => Math.min(index, over));
  for (let i = 1; i <= a.length; i++) {
    const current = new Array<number>(width).fill(over);
    if (i <= atMost) current[0] = i;
    const from = Math.max(1, i - atMost);
    const to = Math.min(b.length, i + atMost);
    let rowBest = current[0]!;
    for (let j = from; j <= to; j++) {
      const substitution = previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1);
      let distance = Math.min(previous[j]! + 1, current[j - 1]! + 1, substitution);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        distance = Math.min(distance, before[j - 2]! + 1);
      }
      current[j] = Math.min(distance, over);
      rowBest = Math.min(rowBest, current[j]!);
    }
    const cells = to - from + 1;
    if (count !== undefined) count.cells += cells;
    meter?.spend(cells);
    // every later cell descends from this row, none cheaper than its best
    if (rowBest > atMost) return over;
    before = previous;
    previous = current;
  }
  return Math.min(previous[b.length]!, over);
}

/**
 * "Did you mean" lookups for one file: each (scope, name) is looked up once; past
 * `MAX_HINTED_NAMES` distinct names, or for a name longer than `MAX_HINTED_NAME_LENGTH`, none.
 */
export class NameHints {
  readonly count: CellCount = { cells: 0 };
  readonly #known = new Map<string, string | undefined>();
  readonly #meter: CheckBudget | undefined;

  constructor(meter?: CheckBudget) {
    this.#meter = meter;
  }

  /** Names looked up so far (each at most once). */
  get lookups(): number {
    return this.#known.size;
  }

  closest(scope: string, name: string, candidates: () => Iterable<string>): string | undefined {
    const key = `${scope}\u0000${name}`;
    if (this.#known.has(key)) return this.#known.get(key);
    if (name.length > MAX_HINTED_NAME_LENGTH || this.#known.size >= MAX_HINTED_NAMES) return undefined;
    const found = closestName(name, candidates(), this.count, this.#meter);
    this.#known.set(key, found);
    return found;
  }
}
