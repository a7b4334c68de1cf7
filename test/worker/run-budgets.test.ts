/**
 * Issue 9, items 3 and 4: a run's work and size are bounded. The hostile CPU workflow of the issue
 * (a `while_loop` whose condition loops 2,000,000 times) fails at its first evaluation, past the
 * per-expression budget of a run; scaled to fit in it (80,000 times), it answers `workflow_start`
 * after one work slice with the run still running, goes on from alarms one slice at a time, and
 * fails with `run.cpu_exceeded` past its allowance; `max_iterations` over its ceiling is refused at publish
 * with a location. A loop that appends to state fails with `state.too_large` at the first write
 * over the cap (never `internal.error`), the row stays under the cap and the run's object keeps
 * answering; `workflow_state_update` over the cap is refused and changes nothing.
 */
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { CONTINUE_PACE_MS } from "../../durable-objects/run/alarm-plan.ts";
import type { RunDO } from "../../durable-objects/run-do.ts";
import { loadWorkflow } from "../../engine/loader/index.ts";
import type { RunState } from "../../engine/machine/index.ts";
import { MAX_CHECKPOINT_BYTES, MAX_STATE_BYTES } from "../../engine/machine/state-size.ts";
import { RUN_EXPRESSION_POLL_BUDGET, SLICE_WORK_UNITS, WORK_UNITS } from "../../engine/machine/work-meter.ts";
import { callTool, newTenant, toolErrorOf } from "./support/clients.ts";
import { inspectRun, publishAndStart, runObject } from "./support/runs.ts";

/** The issue's hostile workflow: 60 passes, each condition 2,000,000 iterations of a loop. */
const ISSUE_CPU = `name: "hostile:cpu"
description: "A loop whose condition burns CPU in the sandbox"
version: "1.0.0"
default_state:
  state:
    passes: 0
steps:
  - id: "spin"
    type: "while_loop"
    max_iterations: 60
    condition: "{{ (() => { let i = 0; while (i < 2000000) i++; return true })() }}"
    body:
      - id: "count"
        type: "set_state"
        state_update:
          path: "this.passes"
          value: "{{ this.passes + 1 }}"
`;

/** The same, each condition just within a run's per-expression budget (16 of 20 polls). */
const HOSTILE_CPU = ISSUE_CPU.replace("2000000", "80000");

/** The issue's growing state, in chunks of 100,000 characters (the 11th write passes 1 MiB). */
const HOSTILE_STATE = `name: "hostile:state"
description: "Appends a large string to state on every pass"
version: "1.0.0"
default_state:
  state:
    chunks: []
steps:
  - id: "grow"
    type: "while_loop"
    max_iterations: 120
    condition: "{{ true }}"
    body:
      - id: "append"
        type: "set_state"
        state_update:
          path: "this.chunks"
          operation: "append"
          value: "{{ 'x'.repeat(100000) }}"
`;

/** A run that waits for its agent, so its state can be written from outside. */
const PAUSED = `name: "demo:paused"
description: "Waits for the agent"
version: "1.0.0"
default_state:
  state:
    note: ""
steps:
  - id: "ask"
    type: "mcp_call"
    tool: "anything"
`;

/**
 * One step's most work: the loop's condition is one evaluation within a run's per-expression
 * budget, plus the step itself.
 */
const ONE_STEP_UNITS =
  WORK_UNITS.step + WORK_UNITS.evaluation + (RUN_EXPRESSION_POLL_BUDGET + 1) * WORK_UNITS.poll;

function workOf(state: RunState): number {
  return state.work?.used ?? 0;
}

describe("a run's work budget", () => {
  it("the issue's workflow fails at its first condition, past the per-expression budget", async () => {
    const { apiKey } = await newTenant("cpu");
    await callTool(apiKey, "workflow_publish", { yaml: ISSUE_CPU });
    const started = await callTool(apiKey, "workflow_start", { workflow: "hostile:cpu" });
    expect(started.structured).toMatchObject({ status: "failed" });
    const status = await callTool(apiKey, "workflow_get_status", {
      workflow_id: started.structured.workflow_id,
    });
    expect(status.structured).toMatchObject({ error: { code: "expression.budget_exceeded" } });
  });

  it("workflow_start answers after one slice with the run running; alarms go on a slice at a time", async () => {
    const { id, apiKey } = await newTenant("cpu");
    const runId = await publishAndStart(apiKey, HOSTILE_CPU);
    const started = await inspectRun(id, runId);
    expect(started.state.status).toBe("running");
    expect(started.state.main.waitingFor).toMatchObject({ kind: "continue" });
    expect(started.state.timers).toEqual([expect.objectContaining({ kind: "continue" })]);
    expect(started.alarm).not.toBeNull();
    // the next slice is due at once; the alarm leaves room for other requests first
    expect(started.alarm!).toBe(started.state.timers[0]!.at + CONTINUE_PACE_MS);
    expect(workOf(started.state)).toBeLessThanOrEqual(SLICE_WORK_UNITS + ONE_STEP_UNITS);
    expect(started.state.main.state.state.passes).toBeLessThan(60);

    const asked = await callTool(apiKey, "workflow_get_next_step", { workflow_id: runId });
    expect(asked.structured).toMatchObject({ status: "wait" });

    // the agent's call ran the next slice itself: the alarms go on from there
    let before = await inspectRun(id, runId);
    for (let alarm = 0; alarm < 3; alarm += 1) {
      expect(await runDurableObjectAlarm(runObject(id, runId))).toBe(true);
      const after = await inspectRun(id, runId);
      const spent = workOf(after.state) - workOf(before.state);
      expect(spent).toBeGreaterThan(0);
      expect(spent).toBeLessThanOrEqual(SLICE_WORK_UNITS + ONE_STEP_UNITS);
      expect(after.state.main.state.state.passes).toBeGreaterThan(
        before.state.main.state.state.passes as number,
      );
      expect(after.state.status).toBe("running");
      before = after;
    }
  });

  it("fails the run with run.cpu_exceeded once it has spent its allowance", async () => {
    const { id } = await newTenant("cpu");
    const loaded = loadWorkflow(HOSTILE_CPU);
    if (!loaded.ok) throw new Error("the hostile workflow does not load");
    const runId = `wf_${"c".repeat(24)}`;
    const stub = runObject(id, runId) as DurableObjectStub<RunDO>;
    // enough for the start and a few alarms (each runs a condition or two: 16 polls each)
    const allowance = 8 * SLICE_WORK_UNITS;
    const outcome = await stub.start({
      tenant: id,
      runId,
      definition: loaded.definition,
      inputs: {},
      workAllowance: allowance,
    });
    expect(outcome.ok).toBe(true);
    let alarms = 0;
    for (; alarms < 20; alarms += 1) {
      if ((await inspectRun(id, runId)).state.status !== "running") break;
      await runDurableObjectAlarm(runObject(id, runId));
    }
    const ended = await inspectRun(id, runId);
    expect(ended.state.status).toBe("failed");
    expect(ended.state.error?.code).toBe("run.cpu_exceeded");
    expect(ended.state.timers).toEqual([]);
    expect(ended.alarm).toBeNull();
    expect(workOf(ended.state)).toBeGreaterThan(allowance);
    expect(workOf(ended.state)).toBeLessThanOrEqual(allowance + SLICE_WORK_UNITS + ONE_STEP_UNITS);
    expect(alarms).toBeGreaterThan(0);
  });

  it("refuses max_iterations over the ceiling at publish, with its location", async () => {
    const { apiKey } = await newTenant("cpu");
    const yaml = HOSTILE_CPU.replace("max_iterations: 60", "max_iterations: 250000");
    const call = await callTool(apiKey, "workflow_publish", { yaml });
    expect(toolErrorOf(call).code).toBe("workflow.invalid");
    expect(call.structured.errors).toEqual([
      expect.objectContaining({ path: "steps[0].max_iterations", line: 10, column: 21 }),
    ]);
  });
});

describe("a run's state size", () => {
  it("a loop that appends fails the run with state.too_large at the first write over the cap", async () => {
    const { id, apiKey } = await newTenant("size");
    const runId = await publishAndStart(apiKey, HOSTILE_STATE);
    for (let alarm = 0; alarm < 20; alarm += 1) {
      if ((await inspectRun(id, runId)).state.status !== "running") break;
      await runDurableObjectAlarm(runObject(id, runId));
    }
    const status = await callTool(apiKey, "workflow_get_status", { workflow_id: runId });
    expect(status.isError).toBe(false);
    expect(status.structured).toMatchObject({ status: "failed", error: { code: "state.too_large" } });
    const rowBytes = await runInDurableObject(runObject(id, runId), (_instance, state) => {
      const row = state.storage.sql.exec<{ bytes: number }>(
        "SELECT length(CAST(state AS BLOB)) AS bytes FROM run",
      );
      return row.one().bytes;
    });
    expect(rowBytes).toBeLessThanOrEqual(MAX_CHECKPOINT_BYTES);
    // ten chunks fit (1,000,000 characters); the eleventh was refused, not stored
    const read = await callTool(apiKey, "workflow_state_read", {
      workflow_id: runId,
      paths: ["this.chunks"],
    });
    expect(read.isError).toBe(false);
    expect((read.structured.values as Record<string, unknown[]>)["this.chunks"]).toHaveLength(10);
  });

  it("workflow_state_update over the cap is refused with state.too_large and changes nothing", async () => {
    const { id, apiKey } = await newTenant("size");
    const runId = await publishAndStart(apiKey, PAUSED);
    const half = "y".repeat(Math.ceil(MAX_STATE_BYTES * 0.6));
    const first = await callTool(apiKey, "workflow_state_update", {
      workflow_id: runId,
      updates: [{ path: "this.note", value: half }],
    });
    expect(first.isError).toBe(false);
    const before = await inspectRun(id, runId);

    const second = await callTool(apiKey, "workflow_state_update", {
      workflow_id: runId,
      updates: [{ path: "this.other", value: half }],
    });
    expect(toolErrorOf(second).code).toBe("state.too_large");
    const after = await inspectRun(id, runId);
    expect(after.state.seq).toBe(before.state.seq);
    expect(after.state.main.state.state).not.toHaveProperty("other");
    expect((after.state.main.state.state.note as string).length).toBe(half.length);
    // the run still answers
    const next = await callTool(apiKey, "workflow_get_next_step", { workflow_id: runId });
    expect(next.structured.steps).toEqual([expect.objectContaining({ id: "ask" })]);
  });
});
