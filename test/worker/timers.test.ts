/**
 * One alarm per run: wait_step and retry back-off timers arm the RunDO's alarm; when it fires
 * (runDurableObjectAlarm) the machine gets `{kind: "timers"}`. Time is moved with a fake clock,
 * which the DO shares with the test in the vitest pool; nothing sleeps.
 */
import { runDurableObjectAlarm } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import { callTool, newTenant } from "./support/clients.ts";
import { inspectRun, publishAndStart, runObject } from "./support/runs.ts";
import { FLAKY, SLEEPER } from "./support/workflows.ts";

afterEach(() => {
  vi.useRealTimers();
});

function advanceClock(ms: number): void {
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(Date.now() + ms);
}

describe("timers", () => {
  it("a wait_step arms the alarm; firing it early does nothing; firing it when due moves on", async () => {
    const { id, apiKey } = await newTenant();
    const runId = await publishAndStart(apiKey, SLEEPER);

    const armed = await inspectRun(id, runId);
    expect(armed.state.timers).toHaveLength(1);
    expect(armed.alarm).toBe(armed.state.timers[0]?.at);
    expect(armed.alarm! - Date.now()).toBeGreaterThan(55_000);

    const waiting = await callTool(apiKey, "workflow_get_next_step", { workflow_id: runId });
    expect(waiting.structured).toMatchObject({ status: "wait", message: "Sleeping a minute" });
    expect(waiting.structured.retry_after_ms).toBeGreaterThan(0);

    expect(await runDurableObjectAlarm(runObject(id, runId))).toBe(true);
    const early = await inspectRun(id, runId);
    expect(early.state.timers).toHaveLength(1);
    expect(early.alarm).toBe(armed.alarm);

    advanceClock(61_000);
    expect(await runDurableObjectAlarm(runObject(id, runId))).toBe(true);
    const fired = await inspectRun(id, runId);
    expect(fired.state.timers).toEqual([]);
    expect(fired.alarm).toBeNull();
    expect(fired.state.main.state.state.woke).toBe(true);

    const next = await callTool(apiKey, "workflow_get_next_step", { workflow_id: runId });
    expect(next.structured.steps).toEqual([
      expect.objectContaining({ id: "say", definition: expect.objectContaining({ message: "woke: true" }) }),
    ]);
  });

  it("a failed step with strategy retry comes back after its back-off timer", async () => {
    const { id, apiKey } = await newTenant();
    const runId = await publishAndStart(apiKey, FLAKY);
    const first = await callTool(apiKey, "workflow_get_next_step", { workflow_id: runId });
    expect(first.structured.steps).toEqual([expect.objectContaining({ id: "call", attempt: 1 })]);

    const failed = await callTool(apiKey, "workflow_step_complete", {
      workflow_id: runId,
      step_id: "call",
      status: "failed",
      error: "tool unavailable",
    });
    expect(failed.structured.run_status).not.toBe("failed");
    const backingOff = await inspectRun(id, runId);
    expect(backingOff.state.timers).toEqual([expect.objectContaining({ kind: "retry", stepId: "call" })]);
    expect(backingOff.alarm).toBe(backingOff.state.timers[0]?.at);
    expect((await callTool(apiKey, "workflow_get_next_step", { workflow_id: runId })).structured.status).toBe(
      "wait",
    );

    advanceClock(6_000);
    await runDurableObjectAlarm(runObject(id, runId));
    const retry = await callTool(apiKey, "workflow_get_next_step", { workflow_id: runId });
    expect(retry.structured.steps).toEqual([expect.objectContaining({ id: "call", attempt: 2 })]);

    await callTool(apiKey, "workflow_step_complete", {
      workflow_id: runId,
      step_id: "call",
      result: { ok: true },
    });
    const status = await callTool(apiKey, "workflow_get_status", { workflow_id: runId });
    expect(status.structured).toMatchObject({ status: "completed", state: { state: { got: { ok: true } } } });
    expect((await inspectRun(id, runId)).alarm).toBeNull();
  });

  it("an alarm on a run that is over does nothing", async () => {
    const { id, apiKey } = await newTenant();
    const runId = await publishAndStart(apiKey, SLEEPER);
    await callTool(apiKey, "workflow_cancel", { workflow_id: runId });
    const after = await inspectRun(id, runId);
    expect(after.alarm).toBeNull();
    expect(await runDurableObjectAlarm(runObject(id, runId))).toBe(false);
    expect((await inspectRun(id, runId)).state.seq).toBe(after.state.seq);
  });

  it("config.timeout_seconds: the alarm at the deadline fails the run with run.timeout", async () => {
    const { id, apiKey } = await newTenant();
    const runId = await publishAndStart(
      apiKey,
      `name: "timers:deadline"
description: "a run with a time limit"
version: "1.0.0"
config:
  timeout_seconds: 120
steps:
  - id: "slow"
    type: "mcp_call"
    tool: "slow_tool"
`,
    );
    await callTool(apiKey, "workflow_get_next_step", { workflow_id: runId });
    const armed = await inspectRun(id, runId);
    expect(armed.alarm).toBe(armed.state.deadlineAt);
    expect(armed.alarm! - Date.now()).toBeGreaterThan(115_000);

    advanceClock(121_000);
    expect(await runDurableObjectAlarm(runObject(id, runId))).toBe(true);
    const status = await callTool(apiKey, "workflow_get_status", { workflow_id: runId });
    expect(status.structured).toMatchObject({ status: "failed", error: { code: "run.timeout" } });
    const late = await callTool(apiKey, "workflow_step_complete", { workflow_id: runId, step_id: "slow" });
    expect(late.isError).toBe(true);
    const active = (await callTool(apiKey, "workflow_list_active")).structured.workflows as {
      workflow_id: string;
    }[];
    expect(active.map((run) => run.workflow_id)).not.toContain(runId);
  });
});
