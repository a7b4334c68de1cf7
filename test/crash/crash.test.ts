/**
 * kill -9 mid-load loses nothing. `wrangler dev` with its own persistence folder; three workflows
 * subscribe to one signed webhook endpoint (a timer then an outside call; two sub-agent tasks with
 * an outside call each; a dependency graph with two, for every fifth delivery; and for every second
 * delivery, two `external_call`s the platform makes itself, crash-safe). 500 signed
 * deliveries from 16 concurrent senders while an agent drives the runs; once 200 are answered,
 * `kill -9` the workerd process (and wrangler), restart on the same state, resend what got no
 * answer or an error, and drive every run to its end.
 *
 * Proves: every delivery answered 2xx has exactly one run per subscriber that wanted it (the log
 * and the answer agree, and no delivery is stored twice); resends are deduplicated (same answer,
 * marked duplicate); every run completes; every outside call had its effect once per
 * idempotency key, and every expected key had it; no step whose completion was acknowledged was
 * handed out again. The counts are printed.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { Agent, mcpClient, sleep } from "./agent.ts";
import { type DevServer, startDevServer } from "./dev-server.ts";
import { type Receiver, startReceiver } from "./receiver.ts";
import { makeDeliveries, sendAll } from "./senders.ts";
import {
  ENDPOINT,
  EXTERNAL_CALLS,
  expectedKeys,
  FAN_OUT_EFFECTS,
  GRAPH_EFFECTS,
  subscribersOf,
  WAIT_THEN_EFFECT,
} from "./workflows.ts";

const DELIVERIES = Number(process.env.CRASH_DELIVERIES ?? 500);
const SENDERS = 16;
const KILL_AFTER_ANSWERS = Math.round(DELIVERIES * 0.4);
const AGENT_WORKERS = 12;
/** With every delivery answered, no run ending for this long is a failure (the open runs are printed). */
const STALL_MS = 90_000;
const HOOK_SECRET = `whsec_${randomBytes(24).toString("base64")}`;

const persistDir = mkdtempSync(join(tmpdir(), "edgeflow-crash-"));
const vars: Record<string, string> = {
  ADMIN_TOKEN: randomBytes(24).toString("hex"),
  SECRETS_KEY: randomBytes(32).toString("hex"),
  // the receiver is on 127.0.0.1
  EDGEFLOW_ALLOW_PRIVATE_EGRESS: "1",
};
let server: DevServer | undefined;
let receiver: Receiver | undefined;

afterAll(async () => {
  await server?.stop();
  await receiver?.close();
  rmSync(persistDir, { recursive: true, force: true });
});

async function admin(path: string, method: string, body?: unknown): Promise<Response> {
  return fetch(`${server!.baseUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${vars.ADMIN_TOKEN}`, "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

interface LoggedEvent {
  event_id: string;
  type: string;
  status: string;
  matches: { workflow: string; outcome: string; workflow_id?: string }[];
}

describe("crash: kill -9 mid-load", () => {
  it(`${DELIVERIES} signed webhooks, ${SENDERS} senders, kill -9 of workerd, restart: nothing lost, nothing twice`, async () => {
    const started = Date.now();
    receiver = await startReceiver();
    server = await startDevServer({ persistDir, vars });
    const created = await admin("/admin/tenants", "POST", { id: "crash" });
    expect(created.status).toBe(201);
    const apiKey = ((await created.json()) as { apiKey: string }).apiKey;
    expect(
      (await admin("/admin/tenants/crash/secrets/HOOK_SECRET", "PUT", { value: HOOK_SECRET })).status,
    ).toBe(201);
    // The load keeps more than the default 1,000 runs active at once (docs/operations.md, Quotas):
    // every delivery's runs must start, so the tenant's active-run quota is raised above it.
    expect((await admin("/admin/tenants/crash/settings", "PATCH", { max_active_runs: 10_000 })).status).toBe(
      200,
    );

    const call = mcpClient(() => server!.baseUrl, apiKey);
    // crash:calls reaches the receiver through a tenant service of the first-party http plugin
    const registered = await call("service_register", {
      name: "receiver",
      uses: "http@^1",
      config: { base_url: receiver.url.replace(/\/effect$/, "") },
    });
    expect(registered.ok, JSON.stringify(registered.value)).toBe(true);
    for (const yaml of [WAIT_THEN_EFFECT, FAN_OUT_EFFECTS, GRAPH_EFFECTS, EXTERNAL_CALLS]) {
      const published = await call("workflow_publish", { yaml });
      expect(published.ok, JSON.stringify(published.value)).toBe(true);
    }

    const agent = new Agent(call, receiver, { "crash:graph": ["b", "c"] });
    const deliveries = makeDeliveries(DELIVERIES);
    let answered = 0;
    let sendersDone = false;
    const senders = sendAll(deliveries, {
      baseUrl: () => server!.baseUrl,
      tenant: "crash",
      endpoint: ENDPOINT,
      secret: HOOK_SECRET,
      concurrency: SENDERS,
      onAnswer: (delivery, answer) => {
        if (delivery.answers.length === 1) answered += 1;
        agent.add(answer.runs);
      },
    }).finally(() => {
      sendersDone = true;
    });
    const driving = agent.drive(AGENT_WORKERS, () => sendersDone);
    let stall = { open: -1, since: Date.now() };
    const progress = setInterval(() => {
      if (agent.open !== stall.open) stall = { open: agent.open, since: Date.now() };
      else if (sendersDone && Date.now() - stall.since > STALL_MS) {
        console.log(`crash test: no run ended for ${STALL_MS / 1000} s; open runs:`);
        for (const run of agent.openRuns().slice(0, 20)) console.log(`  ${run.runId}: ${run.last}`);
        agent.abort();
      }
      const failures = deliveries.reduce((sum, delivery) => sum + delivery.failures.length, 0);
      console.log(
        `crash test: ${Math.round((Date.now() - started) / 1000)} s, ${answered}/${DELIVERIES} answered, ` +
          `${failures} failed attempts, ${agent.open} runs open, ${agent.outcomes.size} over, ` +
          `${receiver!.applied.size} effects, ${agent.stats.toolCalls} tool calls (${agent.stats.unreachable} unreachable)`,
      );
    }, 10_000);

    // ── the crash ──
    while (answered < KILL_AFTER_ANSWERS && !sendersDone) await sleep(20);
    const atCrash = { answered, openRuns: agent.open, effects: receiver.applied.size };
    const killed = await server.crash();
    const crashedAt = Date.now();
    server = await startDevServer({ persistDir, vars });
    const restartMs = Date.now() - crashedAt;

    await senders;
    await driving;
    clearInterval(progress);
    const loadMs = Date.now() - started;

    // ── every delivery answered 2xx, the same answer every time ──
    const unanswered = deliveries.filter((delivery) => delivery.answers.length === 0);
    expect(unanswered.map((delivery) => delivery.n)).toEqual([]);
    for (const delivery of deliveries) {
      const [first, ...again] = delivery.answers;
      for (const answer of again) {
        expect({
          n: delivery.n,
          eventId: answer.eventId,
          runs: answer.runs,
          duplicate: answer.duplicate,
        }).toEqual({
          n: delivery.n,
          eventId: first!.eventId,
          runs: first!.runs,
          duplicate: true,
        });
      }
      expect(delivery.failures.filter((failure) => failure.startsWith("2xx"))).toEqual([]);
      // a 2xx cut off by the kill was still an acceptance: the event was stored, so the resend is a duplicate
      if (delivery.cutOff)
        expect({ n: delivery.n, duplicate: first!.duplicate }).toEqual({ n: delivery.n, duplicate: true });
    }

    // ── the event log: one stored event per delivery, one run per subscriber that wanted it ──
    const logged = await allWebhookEvents(call);
    const byId = new Map(logged.map((event) => [event.event_id, event]));
    expect(logged.length, "accepted webhook events stored").toBe(DELIVERIES);
    const runWorkflow = new Map<string, string>();
    for (const delivery of deliveries) {
      const answer = delivery.answers[0]!;
      const event = byId.get(answer.eventId);
      expect(event, `event ${answer.eventId} of delivery ${delivery.n}`).toBeDefined();
      const started = event!.matches.filter((match) => match.outcome === "started");
      expect(
        started.map((match) => match.workflow).sort(),
        `delivery ${delivery.n}: ${JSON.stringify(event!.matches)}`,
      ).toEqual(subscribersOf(delivery.n));
      expect(started.map((match) => match.workflow_id).sort()).toEqual([...answer.runs].sort());
      for (const match of started) runWorkflow.set(match.workflow_id!, match.workflow);
    }

    // ── every run completed ──
    const runs = [...runWorkflow.keys()];
    const notCompleted = runs.filter((runId) => agent.outcomes.get(runId)?.status !== "completed");
    expect(notCompleted.map((runId) => [runId, agent.outcomes.get(runId)?.status])).toEqual([]);
    const statuses = await mapLimit(runs, 8, async (runId) => {
      const status = await call("workflow_get_status", { workflow_id: runId });
      return status.value.status as string;
    });
    expect(statuses.filter((status) => status !== "completed")).toEqual([]);

    // ── every outside call had its effect once per key, and every expected key had it ──
    const expected = runs.flatMap((runId) => expectedKeys(runWorkflow.get(runId)!, runId)).sort();
    expect([...receiver.applied.keys()].sort()).toEqual(expected);
    expect([...receiver.applied.values()].every((count) => count === 1)).toBe(true);
    expect(agent.stats.rehandedAfterCompletion).toEqual([]);

    // ── the counts ──
    const answers = deliveries.flatMap((delivery) => delivery.answers);
    const requests = [...receiver.requests.values()].reduce((sum, count) => sum + count, 0);
    const perWorkflow = [...runWorkflow.values()].reduce<Record<string, number>>((counts, workflow) => {
      counts[workflow] = (counts[workflow] ?? 0) + 1;
      return counts;
    }, {});
    const counts = {
      deliveries: DELIVERIES,
      senders: SENDERS,
      answered_before_kill: atCrash.answered,
      runs_open_at_kill: atCrash.openRuns,
      effects_before_kill: atCrash.effects,
      workerd_killed: killed.length,
      restart_ms: restartMs,
      deliveries_resent_after_error_or_no_answer: deliveries.filter(
        (delivery) => delivery.failures.length > 0,
      ).length,
      failed_attempts: deliveries.reduce((sum, delivery) => sum + delivery.failures.length, 0),
      answers_2xx: answers.length,
      answers_cut_off_by_kill: deliveries.filter((delivery) => delivery.cutOff).length,
      duplicate_answers: answers.filter((answer) => answer.duplicate).length,
      events_stored: logged.length,
      runs: runs.length,
      runs_per_workflow: perWorkflow,
      runs_completed: statuses.filter((status) => status === "completed").length,
      effect_keys: receiver.applied.size,
      effect_requests: requests,
      effect_requests_repeated: requests - receiver.applied.size,
      steps_rehanded_after_completion: agent.stats.rehandedAfterCompletion.length,
      agent_tool_calls: agent.stats.toolCalls,
      agent_unreachable: agent.stats.unreachable,
      seconds: Math.round(loadMs / 100) / 10,
    };
    console.log(`crash test: ${JSON.stringify(counts)}`);
    expect(counts.duplicate_answers).toBeGreaterThan(0);
  });
});

/** Every accepted webhook event in the log, paging back by received_at. */
async function allWebhookEvents(call: ReturnType<typeof mcpClient>): Promise<LoggedEvent[]> {
  const found = new Map<string, LoggedEvent>();
  let before: string | undefined;
  for (let page = 0; page < 100; page += 1) {
    const answer = await call("workflow_events", {
      type: "webhook",
      status: "accepted",
      limit: 200,
      ...(before === undefined ? {} : { before }),
    });
    expect(answer.ok, JSON.stringify(answer.value)).toBe(true);
    const events = answer.value.events as (LoggedEvent & { received_at: string })[];
    const fresh = events.filter((event) => !found.has(event.event_id));
    for (const event of events) found.set(event.event_id, event);
    if (fresh.length === 0 || events.length === 0) break;
    // one millisecond later than the oldest seen: events of that millisecond come again, deduplicated
    before = new Date(Date.parse(events.at(-1)!.received_at) + 1).toISOString();
  }
  return [...found.values()];
}

async function mapLimit<T, R>(items: T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) {
        const index = next++;
        results[index] = await work(items[index]!);
      }
    }),
  );
  return results;
}
