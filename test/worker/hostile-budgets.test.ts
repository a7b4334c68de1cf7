/**
 * Hostile workflows against a run's budgets (issue 9, items 3 and 4): random `while_loop`s that
 * burn sandbox CPU in their condition (interpreted, or native work QuickJS never polls for) or append large strings to state, with `max_iterations`
 * up to past its ceiling and with or without `error_handling`. Each is validated and published
 * (an over-ceiling loop refused with its location), started and driven by its alarms. Never a
 * 5xx, never `internal.error`: a run ends only in one of the budget codes or completes, every
 * transition stays within its work slice plus one step, the checkpoint stays under its cap, and
 * the tenant's objects answer normally afterwards.
 */
import { runDurableObjectAlarm } from "cloudflare:test";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { TRAP_FACTOR } from "../../engine/expressions/wasm-fuel.ts";
import type { RunState } from "../../engine/machine/index.ts";
import { MAX_CHECKPOINT_BYTES } from "../../engine/machine/state-size.ts";
import { RUN_EXPRESSION_POLL_BUDGET, SLICE_WORK_UNITS, WORK_UNITS } from "../../engine/machine/work-meter.ts";
import { expectStillServing, hostileSuite } from "./support/hostile-suite.ts";
import { inspectRun, runObject } from "./support/runs.ts";

// every case is validated and published (2 inputs), most are also started and driven
const suite = hostileSuite({ suite: "budgets", minimum: 120, tenantPrefix: "hostile-budget" });
const { harness, tenant } = suite;

/** Codes a hostile run may end with; anything else (above all `internal.error`) fails. */
const BUDGET_CODES = new Set(["run.cpu_exceeded", "state.too_large", "expression.budget_exceeded"]);

const ALARMS_PER_RUN = 4;

/**
 * One evaluation's most work: its budget, or twice that when it overran between two polls and its
 * module trapped (`TRAP_FACTOR`), plus the prelude of the fresh sandbox that follows.
 */
const EVALUATION_POLLS = TRAP_FACTOR * RUN_EXPRESSION_POLL_BUDGET + 1 + 10;

/** A transition's most work: its slice, then one step (the step, one evaluation at its budget, a state write at the cap). */
const TRANSITION_UNITS =
  SLICE_WORK_UNITS +
  WORK_UNITS.step +
  2 * (WORK_UNITS.evaluation + EVALUATION_POLLS * WORK_UNITS.poll) +
  Math.ceil(MAX_CHECKPOINT_BYTES / WORK_UNITS.stateBytesPerUnit);

interface Hostile {
  /** what each spin does: count, compare two long strings, or join a big typed array (native work) */
  kind: "count" | "compare" | "join";
  spins: number;
  chunk: number;
  maxIterations: number;
  handled: boolean;
}

const hostileArbitrary: fc.Arbitrary<Hostile> = fc.record({
  kind: fc.constantFrom("count", "compare", "join"),
  spins: fc.constantFrom(0, 1_000, 50_000, 80_000, 2_000_000),
  chunk: fc.constantFrom(0, 1_000, 100_000, 300_000),
  maxIterations: fc.constantFrom(1, 5, 60, 10_000, 10_001, 250_000),
  handled: fc.boolean(),
});

function yamlOf(hostile: Hostile, index: number): string {
  const spins = hostile.spins;
  const spin = {
    count: "",
    compare: `const s = 'x'.repeat(4e5), t = 'x'.repeat(4e5); let n = 0; while (i < ${spins}) { if (s === t) n++; i++; }`,
    join: `const a = new Uint8Array(1e6); let n = 0; while (i < ${spins}) { n += a.join().length; i++; }`,
  }[hostile.kind];
  const condition = `(() => { let i = 0; ${spin} while (i < ${spins}) i++; return true })()`;
  const handling = hostile.handled ? "\n        error_handling: {strategy: continue}" : "";
  return `name: "hostile:budget-${index}"
description: "a loop that burns CPU or grows state"
version: "1.0.0"
default_state:
  state:
    chunks: []
steps:
  - id: "loop"
    type: "while_loop"
    max_iterations: ${hostile.maxIterations}
    condition: ${JSON.stringify(`{{ ${condition} }}`)}
    body:
      - id: "grow"
        type: "set_state"
        state_update: {path: "this.chunks", operation: "append", value: "{{ 'x'.repeat(${hostile.chunk}) }}"}${handling}
`;
}

describe("hostile budgets", () => {
  it("random CPU- and state-hungry loops end in a budget code or complete, a slice at a time", async () => {
    let index = 0;
    await fc.assert(
      fc.asyncProperty(hostileArbitrary, async (hostile) => {
        index += 1;
        const yaml = yamlOf(hostile, index);
        const validated = (await suite.tool("validate", "workflow_validate", { yaml })).structured;
        expect(validated.valid).toBe(hostile.maxIterations <= 10_000);
        const published = (await suite.tool("publish", "workflow_publish", { yaml })).structured;
        if (hostile.maxIterations > 10_000) {
          expect(published.error).toMatchObject({ code: "workflow.invalid", line: 10 });
          return;
        }
        expect(published.workflow).toBe(`hostile:budget-${index}`);
        const started = (await suite.tool("start", "workflow_start", { workflow: `hostile:budget-${index}` }))
          .structured;
        const runId = String(started.workflow_id);
        let before = (await inspectRun(tenant.id, runId)).state;
        expect(work(before)).toBeLessThanOrEqual(TRANSITION_UNITS);
        for (let alarm = 0; alarm < ALARMS_PER_RUN && before.status === "running"; alarm += 1) {
          harness.count("alarm");
          await runDurableObjectAlarm(runObject(tenant.id, runId));
          const after = (await inspectRun(tenant.id, runId)).state;
          expect(work(after) - work(before)).toBeLessThanOrEqual(TRANSITION_UNITS);
          before = after;
        }
        expect(JSON.stringify(before).length).toBeLessThanOrEqual(MAX_CHECKPOINT_BYTES);
        if (before.status === "failed") expect(BUDGET_CODES).toContain(before.error?.code);
        else expect(["running", "completed"]).toContain(before.status);
        const status = await suite.tool("status", "workflow_get_status", { workflow_id: runId });
        expect(status.structured.status).toBe(before.status);
        await suite.tool("next", "workflow_get_next_step", { workflow_id: runId });
      }),
      { numRuns: 60 },
    );
    harness.expectQuietLog();
  });

  it("still serves normal work afterwards", () => expectStillServing(tenant.apiKey));
});

function work(run: RunState): number {
  return run.work?.used ?? 0;
}
