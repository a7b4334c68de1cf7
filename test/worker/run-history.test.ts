/**
 * Issue 14, run history: `workflow_list_runs` lists runs of every status with filters, newest
 * first, in cursor pages, and forgets runs retention purged; `workflow_run_history` shows an
 * AroMCP-shaped run's timeline (a wait, a failed attempt and its retry, a sub-agent task, the
 * failure that ends the run) with the key that made each transition, and no state values.
 * No sleeps: timers are moved past with a fake Date and `runDurableObjectAlarm`.
 */
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import { MAX_LOGGED_TRANSITIONS } from "../../durable-objects/run/checkpoint-store.ts";
import { callTool, newTenant, toolErrorOf } from "./support/clients.ts";
import { publish } from "./support/events.ts";
import { publishAndStart, runObject, tenantObject } from "./support/runs.ts";
import { GREET, GREET_V2 } from "./support/workflows.ts";

afterEach(() => {
  vi.useRealTimers();
});

function advanceClock(ms: number): void {
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(Date.now() + ms);
}

/** A review in the AroMCP shape: a cool-down wait, a flaky fetch retried, a sub-agent per file, a failing publish. */
const REVIEW = `name: "history:review"
description: "Waits, fetches (retried), lints each file in a sub-agent, then publishes"
version: "1.0.0"
inputs:
  files:
    type: "array"
    description: "Files to lint"
default_state:
  state:
    secret_note: "state-value-never-in-history"
    got: null
    results: []
steps:
  - id: "pause"
    type: "wait_step"
    seconds: 30
    message: "cooling down"
  - id: "fetch"
    type: "mcp_call"
    tool: "fetch"
    store_result: "this.got"
    error_handling:
      strategy: "retry"
      max_retries: 2
      retry_delay: 5
  - id: "fan_out"
    type: "parallel_foreach"
    items: "{{ inputs.files }}"
    sub_agent_task: "lint_file"
    store_results: "this.results"
  - id: "publish"
    type: "mcp_call"
    tool: "publish"
    error_handling:
      strategy: "fail"
sub_agent_tasks:
  lint_file:
    description: "Lint one file"
    inputs:
      file_path:
        type: "string"
        description: "The file"
    steps:
      - id: "lint"
        type: "mcp_call"
        tool: "lint"
        parameters:
          file: "{{ inputs.file_path }}"
`;

/** One mcp_call: completing it ends the run (completed), failing it fails the run. */
const ONE_CALL = `name: "history:one"
description: "One tool call"
version: "1.0.0"
steps:
  - id: "only"
    type: "mcp_call"
    tool: "do_it"
    error_handling:
      strategy: "fail"
`;

interface Entry {
  seq: number;
  event: string;
  status: string;
  at: string;
  actor: string | null;
  detail: Record<string, unknown> | null;
}

async function ok(apiKey: string, tool: string, args: Record<string, unknown>) {
  const call = await callTool(apiKey, tool, args);
  if (call.isError) throw new Error(`${tool}: ${call.text}`);
  return call.structured;
}

async function history(apiKey: string, runId: string, args: Record<string, unknown> = {}) {
  return ok(apiKey, "workflow_run_history", { workflow_id: runId, ...args });
}

describe("workflow_run_history", () => {
  it("shows a wait, a failed attempt and its retry, a sub-agent task and the final failure, with who did each", async () => {
    const { id, apiKey, keyId } = await newTenant("history");
    const runId = await publishAndStart(apiKey, REVIEW, { files: ["a.ts"] });
    const actor = `key:${keyId}`;
    expect((await ok(apiKey, "workflow_get_next_step", { workflow_id: runId })).status).toBe("wait");
    advanceClock(31_000);
    await runDurableObjectAlarm(runObject(id, runId));
    const first = await ok(apiKey, "workflow_get_next_step", { workflow_id: runId });
    expect(first.steps).toEqual([expect.objectContaining({ id: "fetch", attempt: 1 })]);
    await ok(apiKey, "workflow_step_complete", {
      workflow_id: runId,
      step_id: "fetch",
      status: "failed",
      error: "upstream 503",
    });
    advanceClock(6_000);
    await runDurableObjectAlarm(runObject(id, runId));
    const second = await ok(apiKey, "workflow_get_next_step", { workflow_id: runId });
    expect(second.steps).toEqual([expect.objectContaining({ id: "fetch", attempt: 2 })]);
    await ok(apiKey, "workflow_step_complete", { workflow_id: runId, step_id: "fetch", result: { ok: 1 } });
    const fan = await ok(apiKey, "workflow_get_next_step", { workflow_id: runId });
    const taskIds = (
      fan.steps as { definition: { tasks: { task_id: string }[] } }[]
    )[0]!.definition.tasks.map((task) => task.task_id);
    const taskId = taskIds[0]!;
    await ok(apiKey, "workflow_get_next_step", { workflow_id: runId, task_id: taskId });
    await ok(apiKey, "workflow_step_complete", {
      workflow_id: runId,
      task_id: taskId,
      step_id: "lint",
      result: { errors: [] },
    });
    await ok(apiKey, "workflow_get_next_step", { workflow_id: runId, task_id: taskId });
    const publishStep = await ok(apiKey, "workflow_get_next_step", { workflow_id: runId });
    expect(publishStep.steps).toEqual([expect.objectContaining({ id: "publish" })]);
    await ok(apiKey, "workflow_step_complete", {
      workflow_id: runId,
      step_id: "publish",
      status: "failed",
      error: "registry refused",
    });

    const page = await history(apiKey, runId);
    expect(page).toMatchObject({
      workflow_id: runId,
      workflow: "history:review",
      status: "failed",
      dropped: 0,
    });
    const entries = page.entries as Entry[];
    expect(entries.map((entry) => entry.seq)).toEqual(
      [...entries.map((entry) => entry.seq)].sort((a, b) => a - b),
    );
    expect(entries[0]).toMatchObject({
      event: "start",
      actor,
      detail: { waits: [{ step_id: "pause", kind: "timer" }] },
    });
    const details = entries.map((entry) => ({ ...entry, detail: entry.detail ?? {} }));
    const find = (predicate: (entry: (typeof details)[number]) => boolean) => details.find(predicate);
    // the timer fired by the run's own alarm
    expect(find((entry) => entry.event === "timers")).toMatchObject({ actor: "system" });
    // the fetch: handed out (attempt 1), failed by the key with its message, retried with a time, handed out again
    expect(
      find((entry) =>
        JSON.stringify(entry.detail.handed_out ?? []).includes(
          '"step_id":"fetch","type":"mcp_call","attempt":1',
        ),
      ),
    ).toMatchObject({ event: "next", actor });
    expect(find((entry) => entry.detail.failed !== undefined && entry.event === "complete")).toMatchObject({
      actor,
      detail: {
        failed: [{ step_id: "fetch", attempt: 1, error: { message: "upstream 503" } }],
        retries: [{ step_id: "fetch", until: expect.any(Number) }],
      },
    });
    expect(
      find((entry) =>
        JSON.stringify(entry.detail.handed_out ?? []).includes(
          '"step_id":"fetch","type":"mcp_call","attempt":2',
        ),
      ),
    ).toBeDefined();
    expect(
      find((entry) => JSON.stringify(entry.detail.completed ?? []).includes('"step_id":"fetch"')),
    ).toMatchObject({ actor, event: "complete" });
    // the sub-agent task: its step handed out and completed on its own thread
    expect(
      find((entry) =>
        JSON.stringify(entry.detail.handed_out ?? []).includes(`"step_id":"lint","task_id":"${taskId}"`),
      ),
    ).toMatchObject({ actor });
    expect(
      find((entry) => JSON.stringify(entry.detail.completed ?? []).includes(`"task_id":"${taskId}"`)),
    ).toMatchObject({ actor, event: "complete" });
    // the end: the publish failed and the run with it, with the error's code
    const last = details.at(-1)!;
    expect(last).toMatchObject({
      event: "complete",
      status: "failed",
      actor,
      detail: {
        failed: [{ step_id: "publish", error: { message: "registry refused" } }],
        error: { code: expect.any(String) },
      },
    });
    // never a state value
    expect(JSON.stringify(page)).not.toContain("state-value-never-in-history");
    expect(JSON.stringify(page)).not.toContain('"ok":1');

    // paged: two entries a page, in order, no gaps, no repeats
    const seen: number[] = [];
    let cursor: number | undefined;
    do {
      const part = await history(apiKey, runId, { limit: 2, ...(cursor === undefined ? {} : { cursor }) });
      seen.push(...(part.entries as Entry[]).map((entry) => entry.seq));
      cursor = part.next_cursor as number | undefined;
    } while (cursor !== undefined);
    expect(seen).toEqual(entries.map((entry) => entry.seq));
  });

  it("the log keeps the start and the last MAX_LOGGED_TRANSITIONS entries, and says how many it dropped", async () => {
    const { id, apiKey } = await newTenant("history-cap");
    const runId = await publishAndStart(apiKey, GREET, { name: "Ada" });
    // a long run, compressed: many entries written through the same store the RunDO uses
    await runInDurableObject(runObject(id, runId), async (_instance, state) => {
      const { appendTransition } = await import("../../durable-objects/run/checkpoint-store.ts");
      state.storage.transactionSync(() => {
        for (let seq = 100; seq < 100 + MAX_LOGGED_TRANSITIONS + 50; seq += 1)
          appendTransition(state.storage.sql, {
            seq,
            event: "next",
            status: "running",
            at: seq,
            actor: "system",
          });
      });
    });
    const page = await history(apiKey, runId, { limit: 1 });
    expect((page.entries as Entry[])[0]).toMatchObject({ event: "start" });
    const count = await runInDurableObject(
      runObject(id, runId),
      (_instance, state) =>
        state.storage.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM transitions").one().n,
    );
    expect(count).toBeLessThanOrEqual(MAX_LOGGED_TRANSITIONS + 1);
    expect(page.dropped).toBeGreaterThan(0);
  });

  it("a made-up run id, or one of another tenant, is run.not_found", async () => {
    const a = await newTenant("history-a");
    const b = await newTenant("history-b");
    const runOfA = await publishAndStart(a.apiKey, GREET, { name: "Ada" });
    const asB = await callTool(b.apiKey, "workflow_run_history", { workflow_id: runOfA });
    expect(toolErrorOf(asB)).toMatchObject({ code: "run.not_found", path: "workflow_id" });
    const madeUp = await callTool(a.apiKey, "workflow_run_history", {
      workflow_id: "wf_000000000000000000000000",
    });
    expect(toolErrorOf(madeUp).code).toBe("run.not_found");
  });
});

describe("workflow_list_runs", () => {
  it("lists every status newest first, filters by workflow, version, status and time, pages with a cursor", async () => {
    const { id, apiKey } = await newTenant("list-runs");
    await publish(apiKey, ONE_CALL);
    await publish(apiKey, GREET);
    const start = async (workflow: string, inputs: Record<string, unknown> = {}, version?: string) =>
      (await ok(apiKey, "workflow_start", { workflow, inputs, ...(version ? { version } : {}) }))
        .workflow_id as string;
    const completed = await start("history:one");
    await ok(apiKey, "workflow_get_next_step", { workflow_id: completed });
    await ok(apiKey, "workflow_step_complete", { workflow_id: completed, step_id: "only", result: 1 });
    const failed = await start("history:one");
    await ok(apiKey, "workflow_get_next_step", { workflow_id: failed });
    await ok(apiKey, "workflow_step_complete", {
      workflow_id: failed,
      step_id: "only",
      status: "failed",
      error: "no",
    });
    const cancelled = await start("demo:greet", { name: "Ada" });
    await ok(apiKey, "workflow_cancel", { workflow_id: cancelled });
    await publish(apiKey, GREET_V2);
    const running = await start("demo:greet", { name: "Bo" });
    const older = await start("demo:greet", { name: "Cy" }, "1.0.0");

    const all = await ok(apiKey, "workflow_list_runs", {});
    const listed = all.runs as {
      workflow_id: string;
      status: string;
      created_at: string;
      finished_at?: string;
    }[];
    expect(new Set(listed.map((run) => run.workflow_id))).toEqual(
      new Set([completed, failed, cancelled, running, older]),
    );
    const statusOf = Object.fromEntries(listed.map((run) => [run.workflow_id, run.status]));
    expect(statusOf).toMatchObject({
      [completed]: "completed",
      [failed]: "failed",
      [cancelled]: "cancelled",
    });
    expect(listed.map((run) => run.created_at)).toEqual(
      [...listed.map((run) => run.created_at)].sort().reverse(),
    );
    expect(listed.find((run) => run.workflow_id === failed)?.finished_at).toEqual(expect.any(String));
    expect(listed.find((run) => run.workflow_id === running)?.finished_at).toBeUndefined();

    const ids = async (args: Record<string, unknown>) =>
      ((await ok(apiKey, "workflow_list_runs", args)).runs as { workflow_id: string }[]).map(
        (run) => run.workflow_id,
      );
    expect(new Set(await ids({ workflow: "history:one" }))).toEqual(new Set([completed, failed]));
    expect(await ids({ status: "cancelled" })).toEqual([cancelled]);
    expect(new Set(await ids({ status: ["failed", "completed"] }))).toEqual(new Set([completed, failed]));
    expect(new Set(await ids({ workflow: "demo:greet", version: "1.0.0" }))).toEqual(
      new Set([cancelled, older]),
    );
    expect(await ids({ workflow: "demo:greet", version: "1.1.0" })).toEqual([running]);
    const failedRow = listed.find((run) => run.workflow_id === failed)!;
    // finished at or after the failed run's finish: the failed and the cancelled run (finished later)
    expect(new Set(await ids({ finished_since: failedRow.finished_at }))).toEqual(
      new Set([failed, cancelled]),
    );
    expect(await ids({ finished_before: failedRow.finished_at })).toEqual([completed]);
    const oldest = listed.at(-1)!;
    expect(await ids({ created_before: oldest.created_at })).toEqual([]);
    expect((await ids({ created_since: oldest.created_at })).length).toBe(5);

    // pages of two: the same order, nothing twice, nothing missed
    const paged: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await ok(apiKey, "workflow_list_runs", { limit: 2, ...(cursor ? { cursor } : {}) });
      expect((page.runs as unknown[]).length).toBeLessThanOrEqual(2);
      paged.push(...(page.runs as { workflow_id: string }[]).map((run) => run.workflow_id));
      cursor = page.next_cursor as string | undefined;
    } while (cursor !== undefined);
    expect(paged).toEqual(listed.map((run) => run.workflow_id));

    // a bad cursor or limit is a coded refusal
    const bad = await callTool(apiKey, "workflow_list_runs", { cursor: "not-a-cursor" });
    expect(toolErrorOf(bad)).toMatchObject({ code: "runs.invalid_cursor", path: "cursor" });
    expect((await callTool(apiKey, "workflow_list_runs", { limit: 100_000 })).isError).toBe(true);

    // retention purges the finished runs: gone from the list and from history alike
    await runInDurableObject(tenantObject(id), (_instance, state) => {
      state.storage.sql.exec("UPDATE runs SET expires_at = 1 WHERE expires_at IS NOT NULL");
    });
    await runInDurableObject(tenantObject(id), (_instance, state) => state.storage.setAlarm(Date.now()));
    await runDurableObjectAlarm(tenantObject(id));
    expect(new Set(await ids({}))).toEqual(new Set([running, older]));
    for (const gone of [completed, failed, cancelled]) {
      expect(toolErrorOf(await callTool(apiKey, "workflow_run_history", { workflow_id: gone })).code).toBe(
        "run.not_found",
      );
    }
    expect(((await history(apiKey, running)).entries as Entry[]).length).toBeGreaterThan(0);
  });
});
