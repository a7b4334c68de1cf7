/**
 * Issue 14, lifecycle events: a run's start and end go on its tenant's event bus, so a
 * `type: event` subscription on `run.completed` with a filter on `event.workflow` starts one
 * workflow from another's completion; a workflow that starts itself stops at `MAX_CHAIN_DEPTH`
 * with `events.chain_depth_exceeded` in the event log; another tenant never sees them; senders
 * cannot forge them; events due when the object stopped are stored by the tenant alarm.
 */
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { MAX_CHAIN_DEPTH } from "../../durable-objects/tenant/lifecycle-events.ts";
import { callTool, newTenant } from "./support/clients.ts";
import { eventLog, postEvent, publish } from "./support/events.ts";
import { tenantObject } from "./support/runs.ts";

/** One tool call: completing it completes the run, failing it fails it. */
function oneCall(name: string): string {
  return `name: "${name}"
description: "One tool call"
version: "1.0.0"
steps:
  - id: "only"
    type: "mcp_call"
    tool: "do_it"
    error_handling:
      strategy: "fail"
`;
}

/** Starts when chain:a completes; records what it was told. */
const AFTER_A = `name: "chain:b"
description: "Runs after chain:a completes"
version: "1.0.0"
inputs:
  upstream:
    type: "string"
    description: "The run that completed"
    required: false
triggers:
  - type: event
    event_type: "run.completed"
    filter: "event.workflow === 'chain:a'"
    inputs_mapping:
      upstream: "{{ event.run_id }}"
steps:
  - id: "say"
    type: "user_message"
    message: "after {{ inputs.upstream }}"
`;

/** Finishes at its start (server steps only) and starts itself again on its own completion. */
const SELF_LOOP = `name: "loop:self"
description: "Starts itself when it completes"
version: "1.0.0"
default_state:
  state:
    done: false
triggers:
  - type: event
    event_type: "run.completed"
    filter: "event.workflow === 'loop:self'"
steps:
  - id: "mark"
    type: "set_state"
    state_update:
      path: "this.done"
      value: true
`;

async function ok(apiKey: string, tool: string, args: Record<string, unknown> = {}) {
  const call = await callTool(apiKey, tool, args);
  if (call.isError) throw new Error(`${tool}: ${call.text}`);
  return call.structured;
}

/** Waits (bounded) until `probe` answers something; lifecycle events are stored right after the RPC that caused them. */
async function eventually<T>(probe: () => Promise<T | undefined>): Promise<T> {
  for (let attempt = 0; attempt < 300; attempt++) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error("condition never held");
}

async function runsOf(apiKey: string, workflow: string) {
  return (await ok(apiKey, "workflow_list_runs", { workflow, limit: 200 })).runs as {
    workflow_id: string;
    status: string;
  }[];
}

async function completeOnlyStep(apiKey: string, runId: string, status: "success" | "failed" = "success") {
  await ok(apiKey, "workflow_get_next_step", { workflow_id: runId });
  await ok(apiKey, "workflow_step_complete", {
    workflow_id: runId,
    step_id: "only",
    ...(status === "failed" ? { status, error: "nope" } : { result: 1 }),
  });
}

describe("lifecycle events", () => {
  it("chain:a completing starts chain:b (filter on event.workflow); other workflows do not", async () => {
    const { apiKey } = await newTenant("chain");
    await publish(apiKey, oneCall("chain:a"));
    await publish(apiKey, oneCall("chain:other"));
    await publish(apiKey, AFTER_A);
    const a = (await ok(apiKey, "workflow_start", { workflow: "chain:a", inputs: {} })).workflow_id as string;
    const other = (await ok(apiKey, "workflow_start", { workflow: "chain:other", inputs: {} }))
      .workflow_id as string;
    await completeOnlyStep(apiKey, other);
    await completeOnlyStep(apiKey, a);

    const completed = await eventually(async () => {
      const events = await eventLog(apiKey, { type: "run.completed", include_payload: true });
      const ofA = events.find((event) => (event.payload as { run_id?: string } | undefined)?.run_id === a);
      return ofA?.matches.every((match) => match.outcome !== "pending") ? ofA : undefined;
    });
    expect(completed.payload).toEqual({
      workflow: "chain:a",
      version: "1.0.0",
      run_id: a,
      status: "completed",
      depth: 0,
    });
    expect(completed.matches).toEqual([expect.objectContaining({ workflow: "chain:b", outcome: "started" })]);
    const bRuns = await runsOf(apiKey, "chain:b");
    expect(bRuns.map((run) => run.workflow_id)).toEqual([completed.matches[0]!.workflow_id]);
    const state = await ok(apiKey, "workflow_state_read", {
      workflow_id: bRuns[0]!.workflow_id,
      paths: ["inputs.upstream"],
    });
    expect(state).toMatchObject({ values: { "inputs.upstream": a } });
    // chain:other's completion was emitted too, and filtered out
    const ofOther = (await eventLog(apiKey, { type: "run.completed", include_payload: true })).find(
      (event) => (event.payload as { run_id?: string }).run_id === other,
    );
    expect(ofOther?.matches).toEqual([
      expect.objectContaining({ workflow: "chain:b", outcome: "filtered_out" }),
    ]);
    // run.started was not listened for: not stored
    expect(await eventLog(apiKey, { type: "run.started" })).toEqual([]);
  });

  it("run.failed carries the error code; run.cancelled is emitted on cancel", async () => {
    const { apiKey } = await newTenant("chain-fail");
    await publish(apiKey, oneCall("chain:a"));
    await publish(
      apiKey,
      `name: "chain:watch"
description: "Hears every failure and cancel"
version: "1.0.0"
triggers:
  - type: event
    event_type: "run.failed"
  - type: event
    event_type: "run.cancelled"
  - type: event
    event_type: "run.started"
    filter: "event.workflow === 'chain:a'"
steps:
  - id: "say"
    type: "user_message"
    message: "{{ event.workflow }} {{ event.status }}"
`,
    );
    const failing = (await ok(apiKey, "workflow_start", { workflow: "chain:a", inputs: {} }))
      .workflow_id as string;
    await completeOnlyStep(apiKey, failing, "failed");
    const cancelled = (await ok(apiKey, "workflow_start", { workflow: "chain:a", inputs: {} }))
      .workflow_id as string;
    await ok(apiKey, "workflow_cancel", { workflow_id: cancelled });
    const failedEvent = await eventually(
      async () => (await eventLog(apiKey, { type: "run.failed", include_payload: true }))[0],
    );
    expect(failedEvent.payload).toMatchObject({
      workflow: "chain:a",
      run_id: failing,
      status: "failed",
      error: { code: expect.any(String) },
    });
    const cancelledEvent = await eventually(
      async () => (await eventLog(apiKey, { type: "run.cancelled", include_payload: true }))[0],
    );
    expect(cancelledEvent.payload).toMatchObject({ run_id: cancelled, status: "cancelled" });
    const started = await eventually(async () => {
      const events = await eventLog(apiKey, { type: "run.started", include_payload: true });
      return events.length === 2 ? events : undefined;
    });
    expect(new Set(started.map((event) => (event.payload as { run_id: string }).run_id))).toEqual(
      new Set([failing, cancelled]),
    );
    expect(started.map((event) => (event.payload as { status: string }).status)).toEqual([
      "running",
      "running",
    ]);
    // the watcher's own runs started too, and their run.started was filtered out
    const watcherRuns = await eventually(async () => {
      const runs = await runsOf(apiKey, "chain:watch");
      return runs.length >= 4 ? runs : undefined;
    });
    expect(watcherRuns).toHaveLength(4);
  });

  it("a workflow that starts itself stops at the depth limit, with the coded reason in workflow_events", async () => {
    const { apiKey } = await newTenant("chain-loop");
    await publish(apiKey, SELF_LOOP);
    await ok(apiKey, "workflow_start", { workflow: "loop:self", inputs: {} });
    const refused = await eventually(async () => {
      const events = await eventLog(apiKey, {
        type: "run.completed",
        outcome: "start_failed",
        include_payload: true,
      });
      return events[0];
    });
    expect(refused.payload).toMatchObject({ workflow: "loop:self", depth: MAX_CHAIN_DEPTH });
    expect(refused.matches).toEqual([
      expect.objectContaining({
        outcome: "start_failed",
        error: expect.objectContaining({ code: "events.chain_depth_exceeded" }),
      }),
    ]);
    // the first run (depth 0) and one per level up to the limit, all completed; nothing more
    const runs = await runsOf(apiKey, "loop:self");
    expect(runs).toHaveLength(MAX_CHAIN_DEPTH + 1);
    expect(runs.every((run) => run.status === "completed")).toBe(true);
    const all = await eventLog(apiKey, { type: "run.completed" });
    expect(all).toHaveLength(MAX_CHAIN_DEPTH + 1);
  });

  it("another tenant never sees a tenant's lifecycle events or runs, and nobody can post one", async () => {
    const a = await newTenant("chain-iso-a");
    const b = await newTenant("chain-iso-b");
    await publish(a.apiKey, oneCall("chain:a"));
    await publish(a.apiKey, AFTER_A);
    await publish(b.apiKey, AFTER_A);
    const runOfA = (await ok(a.apiKey, "workflow_start", { workflow: "chain:a", inputs: {} }))
      .workflow_id as string;
    await completeOnlyStep(a.apiKey, runOfA);
    await eventually(async () => ((await runsOf(a.apiKey, "chain:b")).length > 0 ? true : undefined));
    expect(await eventLog(b.apiKey, {})).toEqual([]);
    expect(await runsOf(b.apiKey, "chain:b")).toEqual([]);
    expect((await ok(b.apiKey, "workflow_list_runs")).runs).toEqual([]);
    // forging one: refused, for the type and for the id prefix
    const forged = await postEvent(b.apiKey, {
      type: "run.completed",
      payload: { workflow: "chain:a", run_id: runOfA, depth: 0 },
    });
    expect(forged.status).toBe(400);
    expect(forged.body).toMatchObject({ error: { code: "events.reserved_type" } });
    const forgedId = await postEvent(b.apiKey, { id: `run:${runOfA}:run.completed`, type: "custom.x" });
    expect(forgedId.body).toMatchObject({ error: { code: "events.reserved_id" } });
  });

  it("events still due when the object stopped are stored by the tenant alarm", async () => {
    const { id, apiKey } = await newTenant("chain-redrive");
    await publish(apiKey, oneCall("chain:a"));
    await publish(apiKey, AFTER_A);
    const a = (await ok(apiKey, "workflow_start", { workflow: "chain:a", inputs: {} })).workflow_id as string;
    // as if the completion was indexed and the object stopped before its drain
    const armed = await runInDurableObject(tenantObject(id), async (_instance, state) => {
      state.storage.sql.exec(
        "UPDATE runs SET status = 'completed', lifecycle_due = ? WHERE id = ?",
        JSON.stringify({ types: ["run.completed"] }),
        a,
      );
      // what the tenant's timers ask for now: the due row counts among them
      const { nextTimerAlarmAt } = await import("../../durable-objects/tenant/timer-alarm.ts");
      const at = nextTimerAlarmAt(state.storage.sql);
      await state.storage.setAlarm(Date.now());
      return at;
    });
    expect(armed).not.toBeNull();
    expect(await eventLog(apiKey, { type: "run.completed" })).toEqual([]);
    expect(await runDurableObjectAlarm(tenantObject(id))).toBe(true);
    const stored = await eventually(async () => (await eventLog(apiKey, { type: "run.completed" }))[0]);
    expect(stored.event_id).toBe(`run:${a}:run.completed`);
    const due = await runInDurableObject(
      tenantObject(id),
      (_instance, state) =>
        state.storage.sql.exec("SELECT lifecycle_due FROM runs WHERE id = ?", a).one().lifecycle_due,
    );
    expect(due).toBeNull();
  });
});
