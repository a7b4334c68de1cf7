/**
 * @module
 * The work budget of one intake call (one `POST /events` or queue batch, one webhook delivery,
 * one alarm's schedule fires): the sandbox polls (`Evaluator.pollsUsed`) that all the filters and
 * mappings of the call may take together. Each expression is already bounded on its own (the
 * evaluator's per-expression budget); this bounds their sum, which triggers × events would
 * otherwise multiply. Once spent, no further expression runs in that call: the subscriptions
 * still to be matched are recorded as skipped with `events.match_budget_exceeded`, and the
 * event is stored as usual. A call can overshoot by at most one expression's budget.
 */
import { EngineError } from "../errors.ts";
import type { Evaluator } from "../expressions/evaluator.ts";

/**
 * Sandbox polls per intake call. A trivial filter costs about 0.04 polls (100 evaluations took
 * 4), so a full batch of 100 events against 50 triggers with one filter each stays far below
 * it, while a filter that spins (20 polls each, the per-expression budget) exhausts it after 20.
 */
export const INTAKE_POLL_BUDGET = 400;

export const MATCH_BUDGET_EXCEEDED = "events.match_budget_exceeded";

export class MatchBudget {
  readonly #evaluator: Evaluator;
  readonly #start: number;
  readonly #limit: number;

  constructor(evaluator: Evaluator, limit: number = INTAKE_POLL_BUDGET) {
    this.#evaluator = evaluator;
    this.#start = evaluator.pollsUsed;
    this.#limit = limit;
  }

  /** Polls taken since the budget was opened. */
  get used(): number {
    return this.#evaluator.pollsUsed - this.#start;
  }

  /** Throws `events.match_budget_exceeded` once the call's polls are spent. */
  check(): void {
    if (this.used < this.#limit) return;
    throw new EngineError(
      MATCH_BUDGET_EXCEEDED,
      `the filters and mappings of this intake used its work budget (${this.#limit} sandbox polls) before this one ran; the event is stored, this subscription started no run`,
    );
  }
}
