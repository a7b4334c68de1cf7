/**
 * Hot releases against a real `wrangler dev` (docs/versioning.md, "Hot releases"). Agents drive
 * runs one step at a time, concurrently, the way MCP clients do, while
 *
 * (a) version 2.0.0 is published with runs of 1.0.0 mid-flight: the old runs finish on 1.0.0
 *     with 1.0.0's steps, runs started after the publish get the default (2.0.0);
 * (b) the worker restarts on a changed build (a `wrangler deploy`): `wrangler dev` is stopped and
 *     started again on the same state folder with another `EDGEFLOW_BUILD` define, so the bundle
 *     really differs (`GET /healthz` answers the build). Calls cut by the restart are retried;
 *     a retried `workflow_step_complete` whose first attempt had landed answers
 *     `run.step_not_pending` and changes nothing.
 *
 * Every step increments `this.count`, so a run's final count proves each step applied exactly
 * once. Passes with 0 failed calls and every run completed; the counts are printed as one line
 * `::: hot release: ...` (.ci/run shows it).
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { McpCallError, type ToolAnswer, toolCaller } from "../support/mcp-call.ts";
import { spawnWranglerDev, type WranglerDevProcess } from "../support/wrangler-dev.ts";

const RUNS_PER_PHASE = 8;
const AGENTS = 4;
/** A call that got no answer is sent again every this long, for at most `RETRY_FOR_MS`. */
const RETRY_EVERY_MS = 200;
const RETRY_FOR_MS = 90_000;

/** `steps` mcp_call steps, each adding 1 to `this.count`. */
function workflow(version: string, steps: number): string {
  const list = Array.from(
    { length: steps },
    (_, index) => `  - id: "step_${index + 1}"
    type: "mcp_call"
    tool: "work"
    state_update:
      path: "this.count"
      operation: "increment"
      value: 1
`,
  ).join("");
  return `name: "hot:release"
description: "Counts its steps (${version})"
version: "${version}"
default_state:
  state:
    count: 0
steps:
${list}`;
}
const V1 = { version: "1.0.0", steps: 3 };
const V2 = { version: "2.0.0", steps: 4 };

const persistDir = mkdtempSync(join(tmpdir(), "edgeflow-hot-release-"));
const vars = { ADMIN_TOKEN: randomBytes(24).toString("hex"), SECRETS_KEY: randomBytes(32).toString("hex") };
let server: WranglerDevProcess | undefined;

afterAll(async () => {
  await server?.stop();
  rmSync(persistDir, { recursive: true, force: true });
});

function start(build: string): Promise<WranglerDevProcess> {
  return spawnWranglerDev({ persistDir, vars, defines: { EDGEFLOW_BUILD: build }, readyTimeoutMs: 90_000 });
}

async function buildOf(): Promise<string> {
  return ((await (await fetch(`${server!.baseUrl}/healthz`)).json()) as { build: string }).build;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Counts {
  /** tool calls made (a call sent again counts once) */
  calls: number;
  /** calls that got no answer at first (cut by the restart) and were sent again */
  retried: number;
  /** every request sent, first attempts and retries */
  attempts: number;
  failed: number;
  /** retried completions whose first attempt had landed (answered run.step_not_pending) */
  alreadyApplied: number;
  failures: string[];
}

/** Agents that drive runs to their end, one step per turn, retrying calls cut by a restart. */
class Agents {
  readonly counts: Counts = { calls: 0, retried: 0, attempts: 0, failed: 0, alreadyApplied: 0, failures: [] };
  /** the last completion answered with success, to send again as if its answer had been lost */
  lastCompleted: Record<string, unknown> | undefined;
  readonly finished = new Set<string>();
  completions = 0;
  readonly #queue: string[] = [];
  readonly #known = new Set<string>();
  readonly #call: (name: string, args: Record<string, unknown>) => Promise<ToolAnswer>;

  constructor(apiKey: string) {
    this.#call = toolCaller(() => server!.baseUrl, apiKey, { timeoutMs: 30_000 });
  }

  add(runIds: readonly string[]): void {
    for (const runId of runIds) {
      this.#known.add(runId);
      this.#queue.push(runId);
    }
  }

  get open(): number {
    return this.#known.size - this.finished.size;
  }

  /** One tool call, sent again while it gets no answer; `retried` says whether it was. */
  async call(name: string, args: Record<string, unknown>): Promise<{ answer: ToolAnswer; retried: boolean }> {
    const deadline = Date.now() + RETRY_FOR_MS;
    this.counts.calls += 1;
    for (let attempt = 0; ; attempt += 1) {
      this.counts.attempts += 1;
      if (attempt === 1) this.counts.retried += 1;
      try {
        const answer = await this.#call(name, args);
        // a Durable Object call cut by the restart comes back as internal.error: send it again
        const cut = !answer.ok && (answer.value.error as { code?: string })?.code === "internal.error";
        if (!cut) return { answer, retried: attempt > 0 };
      } catch (error) {
        if (!(error instanceof McpCallError)) throw error;
      }
      if (Date.now() > deadline) {
        this.#fail(`${name} got no answer for ${RETRY_FOR_MS / 1000} s`);
        return { answer: { ok: false, value: {}, message: "" }, retried: true };
      }
      await sleep(RETRY_EVERY_MS);
    }
  }

  /** `workers` loops drive the queued runs until every known run is over. */
  async drive(workers: number, done: () => boolean): Promise<void> {
    const loop = async () => {
      while (!(done() && this.open === 0)) {
        const runId = this.#queue.shift();
        if (runId === undefined) {
          await sleep(20);
          continue;
        }
        if (!(await this.#turn(runId))) this.#queue.push(runId);
        await sleep(10);
      }
    };
    await Promise.all(Array.from({ length: workers }, loop));
  }

  /** One step of one run; true when the run is over. */
  async #turn(runId: string): Promise<boolean> {
    const { answer: next } = await this.call("workflow_get_next_step", { workflow_id: runId });
    if (!next.ok) return this.#fail(`get_next_step ${runId}: ${next.message.slice(0, 300)}`);
    const status = next.value.status as string;
    if (status === "completed" || status === "failed" || status === "cancelled") {
      this.finished.add(runId);
      return true;
    }
    for (const step of (next.value.steps ?? []) as { id: string }[]) {
      const args = { workflow_id: runId, step_id: step.id, result: { done: true } };
      const { answer, retried } = await this.call("workflow_step_complete", args);
      if (answer.ok) {
        this.completions += 1;
        this.lastCompleted = args;
      } else if (retried && alreadyApplied(answer)) this.counts.alreadyApplied += 1;
      else return this.#fail(`step_complete ${runId}/${step.id}: ${answer.message.slice(0, 300)}`);
    }
    return false;
  }

  #fail(message: string): false {
    this.counts.failed += 1;
    this.counts.failures.push(message);
    return false;
  }
}

/** What a completion sent again answers when its first attempt had landed: nothing is applied twice. */
function alreadyApplied(answer: ToolAnswer): boolean {
  const code = (answer.value.error as { code?: string } | undefined)?.code;
  return code === "run.step_not_pending" || code === "run.not_running";
}

async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

describe("hot releases", () => {
  it("loses nothing on a publish under load or on a restart on new code", { timeout: 240_000 }, async () => {
    server = await start("hot-release-1");
    const buildBefore = await buildOf();
    const created = await fetch(`${server.baseUrl}/admin/tenants`, {
      method: "POST",
      headers: { authorization: `Bearer ${vars.ADMIN_TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify({ id: "hot" }),
    });
    expect(created.status).toBe(201);
    const apiKey = ((await created.json()) as { apiKey: string }).apiKey;
    const agents = new Agents(apiKey);
    const tool = async (name: string, args: Record<string, unknown>) => {
      const { answer } = await agents.call(name, args);
      expect(answer.ok, answer.message.slice(0, 400)).toBe(true);
      return answer.value;
    };
    const startRuns = async (count: number) => {
      const started = await Promise.all(
        Array.from({ length: count }, () => tool("workflow_start", { workflow: "hot:release" })),
      );
      return started.map((run) => ({ id: run.workflow_id as string, version: run.version as string }));
    };

    // (a) publish 2.0.0 while runs of 1.0.0 are mid-flight
    await tool("workflow_publish", { yaml: workflow(V1.version, V1.steps) });
    const oldRuns = await startRuns(RUNS_PER_PHASE);
    agents.add(oldRuns.map((run) => run.id));
    let published = false;
    let restarted = false;
    const driving = agents.drive(AGENTS, () => published && restarted);
    await until(() => agents.completions >= RUNS_PER_PHASE, "the first steps of 1.0.0");
    await tool("workflow_publish", { yaml: workflow(V2.version, V2.steps) });
    const openAtPublish = oldRuns.filter((run) => !agents.finished.has(run.id)).length;
    const newRuns = await startRuns(RUNS_PER_PHASE);
    agents.add(newRuns.map((run) => run.id));
    published = true;

    // (b) restart on a changed build while runs are in flight
    const restartRuns = await startRuns(RUNS_PER_PHASE);
    agents.add(restartRuns.map((run) => run.id));
    const completionsBefore = agents.completions;
    await until(() => agents.completions >= completionsBefore + RUNS_PER_PHASE, "runs in flight");
    const openAtRestart = agents.open;
    const landed = agents.lastCompleted!;
    await server.stop();
    server = await start("hot-release-2");
    const buildAfter = await buildOf();
    // a completion that landed before the restart, sent again as if its answer had been cut
    const resent = await agents.call("workflow_step_complete", landed);
    expect(alreadyApplied(resent.answer), resent.answer.message.slice(0, 300)).toBe(true);
    agents.counts.retried += 1;
    agents.counts.alreadyApplied += 1;
    restarted = true;
    await driving;

    const all = [...oldRuns, ...newRuns, ...restartRuns];
    const finals = await Promise.all(all.map((run) => tool("workflow_get_status", { workflow_id: run.id })));
    const counts = agents.counts;
    console.log(
      `::: hot release: ${all.length} runs (${oldRuns.length} on ${V1.version} through the publish, ` +
        `${newRuns.length + restartRuns.length} on ${V2.version}), ${counts.calls} calls, ${counts.retried} retried ` +
        `(${counts.attempts - counts.calls} resends; resent completions found already applied: ${counts.alreadyApplied}), ` +
        `${counts.failed} failed; ` +
        `in flight at the publish ${openAtPublish}, at the restart ${openAtRestart}; build ${buildBefore} -> ${buildAfter}`,
    );
    expect(counts.failures).toEqual([]);
    expect(counts.failed).toBe(0);
    expect([buildBefore, buildAfter]).toEqual(["hot-release-1", "hot-release-2"]);
    expect(openAtPublish).toBeGreaterThan(0);
    expect(openAtRestart).toBeGreaterThan(0);
    expect(oldRuns.every((run) => run.version === V1.version)).toBe(true);
    expect([...newRuns, ...restartRuns].every((run) => run.version === V2.version)).toBe(true);
    // each run completed on the version it started, every step applied exactly once
    expect(
      finals.map((final) => [
        final.status,
        final.version,
        (final.state as { state: { count: number } }).state.count,
      ]),
    ).toEqual(all.map((run) => ["completed", run.version, run.version === V1.version ? V1.steps : V2.steps]));
  });
});
