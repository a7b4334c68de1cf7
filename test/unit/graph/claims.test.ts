/**
 * @module
 * Claims: several agents each get a different ready task; a claim past its deadline is handed
 * out again (and a late completion of the old claim is refused); a released task is ready for
 * anyone; retries; and the errors of completing what is not claimed.
 */
import { describe, expect, it } from "vitest";
import {
  claimReady,
  completeTask,
  createGraphRun,
  expireClaims,
  type GraphRunState,
  nextDeadline,
  nextReady,
  releaseTask,
  type TaskSpec,
} from "../../../engine/graph/index.ts";
import { statuses, TRUE_HOOKS } from "./drive.ts";

const hooks = TRUE_HOOKS;

function task(id: string, needs: string[] = [], extra: Partial<TaskSpec> = {}): TaskSpec {
  return { id, needs, when: [], priority: 0, triggerRule: "all_success", retries: 0, ...extra };
}

function run(tasks: TaskSpec[]): GraphRunState {
  return createGraphRun({ tasks }, { hooks, now: 0 });
}

function codeOf(action: () => unknown): string | undefined {
  try {
    action();
  } catch (error) {
    return (error as { code?: string }).code;
  }
  return undefined;
}

describe("claims", () => {
  it("each call hands out different tasks, best first, within the parallel limit", () => {
    const state = run([task("a"), task("b", [], { priority: 2 }), task("c"), task("d", [], { priority: 2 })]);
    expect(nextReady(state, 10).map((t) => t.id)).toEqual(["b", "d", "a", "c"]);
    const first = claimReady(state, { parallelLimit: 3, limit: 1, now: 1 }).claimed;
    const second = claimReady(state, { parallelLimit: 3, limit: 1, now: 1 }).claimed;
    const third = claimReady(state, { parallelLimit: 3, now: 1 }).claimed;
    expect([first, second, third].map((claimed) => claimed.map((t) => t.id))).toEqual([["b"], ["d"], ["a"]]);
    expect(claimReady(state, { parallelLimit: 3, now: 1 }).claimed).toEqual([]);
    expect(state.claimed).toBe(3);
    expect(codeOf(() => claimReady(state, { parallelLimit: 1.5, now: 1 }))).toBe("graph.bad_limit");
  });

  it("an expired claim is handed out again; the old claim's completion is refused", () => {
    const state = run([task("slow", [], { timeoutSeconds: 10 }), task("after", ["slow"])]);
    const [claim] = claimReady(state, { now: 1_000 }).claimed;
    expect([claim?.attempts, claim?.deadline, nextDeadline(state)]).toEqual([1, 11_000, 11_000]);
    expect(expireClaims(state, { now: 10_999, hooks }).expired).toEqual([]);
    const expired = expireClaims(state, { now: 11_000, hooks });
    expect(expired.expired.map((t) => [t.id, t.status, t.expirations])).toEqual([["slow", "ready", 1]]);
    expect([state.claimed, nextDeadline(state)]).toEqual([0, undefined]);
    const [again] = claimReady(state, { now: 12_000 }).claimed;
    expect(again?.attempts).toBe(2);
    expect(
      codeOf(() => completeTask(state, "slow", { status: "success" }, { hooks, now: 12_001, attempt: 1 })),
    ).toBe("graph.stale_claim");
    completeTask(state, "slow", { status: "success" }, { hooks, now: 12_002, attempt: 2 });
    expect(statuses(state)).toEqual({ slow: "success", after: "ready" });
    expect(state.tasks[0]?.startedAt).toBe(1_000);
  });

  it("a task whose claims keep expiring fails with graph.claim_expired, and its dependents with it", () => {
    const state = run([task("stuck", [], { timeoutSeconds: 1, retries: 5 }), task("after", ["stuck"])]);
    for (let round = 0; round < 3; round++) {
      claimReady(state, { now: round * 10_000 });
      expireClaims(state, { now: round * 10_000 + 1_000, hooks, maxExpirations: 2 });
    }
    expect(statuses(state)).toEqual({ stuck: "failed", after: "upstream_failed" });
    expect(state.tasks[0]?.error?.code).toBe("graph.claim_expired");
  });

  it("a released task is ready again for anyone, without counting as a failure", () => {
    const state = run([task("a"), task("b")]);
    claimReady(state, { parallelLimit: 1, now: 1 });
    const { changed } = releaseTask(state, "a");
    expect(changed.map((t) => [t.id, t.status, t.claimedAt])).toEqual([["a", "ready", undefined]]);
    expect(claimReady(state, { parallelLimit: 1, now: 2 }).claimed.map((t) => [t.id, t.attempts])).toEqual([
      ["a", 2],
    ]);
    expect(state.tasks[0]?.failures).toBe(0);
  });

  it("retries a failed task while failures ≤ retries, then fails it", () => {
    const state = run([task("flaky", [], { retries: 2 })]);
    for (let attempt = 1; attempt <= 2; attempt++) {
      claimReady(state, { now: attempt });
      expect(completeTask(state, "flaky", { status: "failed" }, { hooks, now: attempt }).retried).toBe(true);
    }
    claimReady(state, { now: 3 });
    const last = completeTask(state, "flaky", { status: "failed" }, { hooks, now: 3 });
    expect([last.retried, last.finished, state.tasks[0]?.status, state.tasks[0]?.error?.code]).toEqual([
      false,
      true,
      "failed",
      "graph.task_failed",
    ]);
  });

  it("completing an unknown or unclaimed task is an error", () => {
    const state = run([task("a"), task("b", ["a"])]);
    expect(codeOf(() => completeTask(state, "zzz", { status: "success" }, { hooks, now: 1 }))).toBe(
      "graph.unknown_task",
    );
    expect(codeOf(() => completeTask(state, "b", { status: "success" }, { hooks, now: 1 }))).toBe(
      "graph.not_claimed",
    );
    expect(codeOf(() => releaseTask(state, "a"))).toBe("graph.not_claimed");
  });

  it("a string for_each without a resolveItems hook fails its task", () => {
    const state = run([task("fan", [], { forEach: "{{ this.items }}" })]);
    expect(state.tasks[0]?.error?.code).toBe("graph.no_items_resolver");
  });
});
