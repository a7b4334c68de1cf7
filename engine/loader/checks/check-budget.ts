/**
 * @module
 * A deterministic work budget for the static checks: each check counts its steps (tokens read,
 * edit-distance cells, loop bodies walked) here, and past the limit the budget
 * throws `CheckBudgetExceeded`, which `staticChecks` turns into one `check.skipped` warning. Steps,
 * not time: the same file always gets the same answer. Pure.
 */

/**
 * Steps one file's static checks may take: AroMCP's reference workflows take at most about 6,000;
 * a file of nothing but expressions takes about 2.7 steps a byte (the whole 1 MiB: 2.7 million,
 * over a second of CPU), so past about 700 KB of expressions the checks stop.
 */
export const STATIC_CHECK_STEP_LIMIT = 2_000_000;

export class CheckBudgetExceeded extends Error {
  readonly limit: number;

  constructor(limit: number) {
    super(`static checks stopped after ${limit} steps`);
    this.limit = limit;
    this.name = "CheckBudgetExceeded";
  }
}

export class CheckBudget {
  #spent = 0;

  readonly limit: number;

  constructor(limit: number = STATIC_CHECK_STEP_LIMIT) {
    this.limit = limit;
  }

  /** Steps counted so far. */
  get spent(): number {
    return this.#spent;
  }

  /** Counts `steps`; throws `CheckBudgetExceeded` once the total passes the limit. */
  spend(steps: number): void {
    this.#spent += steps;
    if (this.#spent > this.limit) throw new CheckBudgetExceeded(this.limit);
  }
}
