/**
 * The tenant isolation matrix: for every registered MCP tool, every Hono route and every entry
 * point of the worker, tenant B's key (or B's webhook secret) aimed at tenant A's runs,
 * workflows, subscriptions, secrets and events. The tools, routes and handlers are enumerated
 * from the code (`TOOLS`, `tools/list`, `inspectRoutes(createApp())`, the worker's exports), so
 * one added without a case here fails this test by name. Every case also checks, generically,
 * that nothing of A's (run ids, event ids, subscription ids, workflow names, payloads, secret
 * values) appears in any answer B got, and that A's data is exactly as before.
 */
import {
  createExecutionContext,
  createMessageBatch,
  env,
  getQueueResult,
  runInDurableObject,
  SELF,
} from "cloudflare:test";
import { inspectRoutes } from "hono/dev";
import { beforeAll, describe, expect, it } from "vitest";
import { CircuitStore } from "../../durable-objects/tenant/circuit-store.ts";
import type { AuditEntry } from "../../engine/audit/audit-entry.ts";
import { createApp } from "../../worker/app.ts";
import worker from "../../worker/index.ts";
import { TOOLS } from "../../worker/mcp/server.ts";
import { REVIEWS } from "./graph-support.ts";
import { adminFetch, BASE, callTool, mcpRequest, newTenant, type ToolCall } from "./support/clients.ts";
import { eventLog, postEvent, postHook, publish, setSecret, settledEvent, sign } from "./support/events.ts";
import {
  authorizeUrl,
  grantWithKey,
  newPkce,
  openConsent,
  postConsent,
  registerClient,
  SECURE_BASE,
  secureMcp,
} from "./support/oauth-client.ts";
import { callToolWithPlugins } from "./support/plugin-tools.ts";
import { GREET } from "./support/workflows.ts";

const A_SECRET = "whsec_QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFB";
const B_SECRET = "whsec_QkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJC";

function hookWorkflow(prefix: string): string {
  return `name: "${prefix}:hook"
description: "Starts on a signed delivery to /deploy"
version: "1.0.0"
triggers:
  - type: webhook
    endpoint: "/deploy"
    secret: "{{ env.HOOK_SECRET }}"
steps:
  - id: "say"
    type: "user_message"
    message: "delivery {{ event.payload.marker }}"
`;
}

function eventWorkflow(prefix: string): string {
  return `name: "${prefix}:on-event"
description: "Starts on iso.ping events and on any file change"
version: "1.0.0"
triggers:
  - type: event
    event_type: "iso.ping"
  - type: file_change
    pattern: "**"
steps:
  - id: "say"
    type: "user_message"
    message: "event {{ event.type }}"
`;
}

interface Tenant {
  id: string;
  apiKey: string;
  keyId: string;
}

interface World {
  a: Tenant;
  b: Tenant;
  runOfA: string;
  graphRunOfA: string;
  subscriptionOfA: string;
  eventOfA: string;
  hookEventOfA: string;
  /** strings of A's that must never reach B */
  traces: string[];
}

let w: World;
/** every answer B received during the current case, with what B sent to get it */
let seen: { sent: string; text: string }[] = [];

beforeAll(async () => {
  const a = await newTenant("iso-a");
  const b = await newTenant("iso-b");
  const marker = `A-PAYLOAD-${crypto.randomUUID()}`;
  await setSecret(a.id, "HOOK_SECRET", A_SECRET);
  await setSecret(b.id, "HOOK_SECRET", B_SECRET);
  for (const yaml of [
    GREET.replace('"demo:greet"', '"isoa:greet"'),
    GREET.replace('"demo:greet"', '"shared:greet"'),
    // a version only A has, of a name B also publishes (workflow_migrate)
    GREET.replace('"demo:greet"', '"shared:greet"').replace('version: "1.0.0"', 'version: "2.0.0"'),
    hookWorkflow("isoa"),
    eventWorkflow("isoa"),
    REVIEWS.replace('"graph:reviews"', '"isoa:reviews"'),
  ]) {
    await publish(a.apiKey, yaml);
  }
  for (const yaml of [
    GREET.replace('"demo:greet"', '"isob:greet"'),
    hookWorkflow("isob"),
    eventWorkflow("isob"),
  ]) {
    await publish(b.apiKey, yaml);
  }
  // A's own service (resolved against the test catalog): nothing of it may reach B
  const service = await callToolWithPlugins(a.id, "service_register", {
    name: "a_private_api",
    uses: "demo@^1",
    config: { base_url: "https://a-private.example", token: "{{ env.A_PRIVATE_TOKEN }}" },
  });
  expect(service.isError, service.text).toBe(false);
  // B listens to everything before A receives anything: none of A's events may reach it
  const catchAll = await callTool(b.apiKey, "workflow_subscribe_events", {
    event_pattern: "*",
    workflow: "isob:greet",
    inputs_mapping: { name: "'catch-all'" },
  });
  expect(catchAll.isError, catchAll.text).toBe(false);
  const runOfA = (
    await callTool(a.apiKey, "workflow_start", { workflow: "isoa:greet", inputs: { name: marker } })
  ).structured.workflow_id as string;
  const graphRunOfA = (await callTool(a.apiKey, "workflow_start", { workflow: "isoa:reviews" })).structured
    .workflow_id as string;
  const subscribed = await callTool(a.apiKey, "workflow_subscribe_events", {
    event_pattern: "iso.*",
    workflow: "isoa:greet",
    inputs_mapping: { name: "'from subscription'" },
  });
  expect(subscribed.isError, subscribed.text).toBe(false);
  const posted = await postEvent(a.apiKey, { type: "iso.ping", payload: { marker } });
  expect(posted.status).toBe(202);
  const body = JSON.stringify({ marker });
  const delivered = await postHook(a.id, "/deploy", body, await sign("standard", A_SECRET, body));
  expect(delivered.status).toBe(202);
  await settledEvent(a.apiKey, posted.body.event_id!);
  await settledEvent(a.apiKey, delivered.body.event_id!);
  // a circuit breaker of A's (service_circuits)
  await runInDurableObject(env.TENANT_DO.get(env.TENANT_DO.idFromName(a.id)), (_instance, state) => {
    const open = { status: "open" as const, consecutiveFailures: 1, openedAt: 1 };
    new CircuitStore(state.storage.kv).write("isoa:api", open, { failureThreshold: 1, coolDownSeconds: 30 });
  });
  w = {
    a,
    b,
    runOfA,
    graphRunOfA,
    subscriptionOfA: subscribed.structured.subscription_id as string,
    eventOfA: posted.body.event_id!,
    hookEventOfA: delivered.body.event_id!,
    traces: [
      runOfA,
      graphRunOfA,
      posted.body.event_id!,
      delivered.body.event_id!,
      "isoa:",
      marker,
      A_SECRET,
      a.keyId,
      "a-private.example",
      "A_PRIVATE_TOKEN",
    ],
  };
  w.traces.push(w.subscriptionOfA);
});

// ── what B does, recorded ────────────────────────────────────────────────

async function asB(tool: string, args: Record<string, unknown> = {}): Promise<ToolCall> {
  const call = await callTool(w.b.apiKey, tool, args);
  seen.push({ sent: JSON.stringify(args), text: call.text });
  return call;
}

/** As B, in-process with the test plugin catalog (the installed one may hold no plugin). */
async function asBWithPlugins(tool: string, args: Record<string, unknown> = {}): Promise<ToolCall> {
  const call = await callToolWithPlugins(w.b.id, tool, args);
  seen.push({ sent: JSON.stringify(args), text: call.text });
  return call;
}

async function bFetch(path: string, init: RequestInit = {}): Promise<{ status: number; text: string }> {
  const res = await SELF.fetch(`${BASE}${path}`, init);
  const text = await res.text();
  seen.push({ sent: `${path} ${String(init.body ?? "")}`, text });
  return { status: res.status, text };
}

function codeOf(call: ToolCall): string {
  expect(call.isError, `expected an error, got ${call.text.slice(0, 200)}`).toBe(true);
  return (call.structured as { error: { code: string } }).error.code;
}

function errorCodeOf(text: string): string {
  return (JSON.parse(text) as { error: { code: string } }).error.code;
}

// ── A's data, before and after ───────────────────────────────────────────

async function snapshotOfA(): Promise<unknown> {
  const key = w.a.apiKey;
  const [status, graph, workflows, subscriptions, active, events, tenant, secrets, services, audit] =
    await Promise.all([
      callTool(key, "workflow_get_status", { workflow_id: w.runOfA }),
      callTool(key, "workflow_get_status", { workflow_id: w.graphRunOfA }),
      callTool(key, "workflow_list"),
      callTool(key, "workflow_list_subscriptions"),
      callTool(key, "workflow_list_active"),
      eventLog(key, { status: "accepted" }),
      adminFetch(`/admin/tenants/${w.a.id}`).then((res) => res.json()),
      adminFetch(`/admin/tenants/${w.a.id}/secrets`).then((res) => res.json()),
      adminFetch(`/admin/tenants/${w.a.id}/services`).then((res) => res.json()),
      adminFetch(`/admin/tenants/${w.a.id}/audit`)
        .then((res) => res.arrayBuffer())
        .then((body) => new TextDecoder().decode(body)),
    ]);
  const withoutTimes = (call: ToolCall) => ({ ...call.structured, updated_at: undefined });
  return {
    run: withoutTimes(status),
    graph: withoutTimes(graph),
    workflows: workflows.structured,
    subscriptions: subscriptions.structured,
    active: active.structured,
    events: events.map((event) => [event.event_id, event.matches.map((match) => match.workflow_id)]),
    tenant,
    secrets,
    services,
    audit,
  };
}

/** Runs one case: A's data must be unchanged and B must have seen nothing of A's. */
async function isolated(work: () => Promise<void>): Promise<void> {
  seen = [];
  const before = await snapshotOfA();
  await work();
  expect(seen.length, "the case made no call as B").toBeGreaterThan(0);
  for (const { sent, text } of seen) {
    // an id B itself sent may be echoed in the error about it; anything else of A's may not appear
    for (const trace of w.traces.filter((trace) => !sent.includes(trace))) {
      expect(text.includes(trace), `B saw "${trace}" in ${text.slice(0, 300)}`).toBe(false);
    }
  }
  expect(await snapshotOfA()).toEqual(before);
}

// ── one case per MCP tool ────────────────────────────────────────────────

const TOOL_CASES: Record<string, () => Promise<void>> = {
  workflow_publish: async () => {
    // the same name and version as one of A's, different text: a version of B's own
    const same = GREET.replace('"demo:greet"', '"shared:greet"').replace(
      "Greets someone",
      "B's own greeting",
    );
    expect((await asB("workflow_publish", { yaml: same })).structured.created).toBe(true);
    const info = await callTool(w.a.apiKey, "workflow_get_info", { workflow: "shared:greet" });
    expect(info.structured.description).toContain("Greets someone");
  },
  workflow_validate: async () => {
    expect((await asB("workflow_validate", { yaml: hookWorkflow("isob2") })).structured.valid).toBe(true);
    // a later version of A's workflow that would break A's: B has no such workflow, nothing to compare
    const aNext = hookWorkflow("isoa").replace('"1.0.0"', '"1.1.0"').replace('id: "say"', 'id: "said"');
    const compared = await asB("workflow_validate", { yaml: aNext });
    expect(compared.structured).toMatchObject({ valid: true, errors: [] });
    expect(compared.structured.compatibility).toBeUndefined();
  },
  workflow_list: async () => {
    const names = ((await asB("workflow_list")).structured.workflows as { name: string }[]).map(
      (x) => x.name,
    );
    expect(names.filter((name) => name.startsWith("isob:")).length).toBeGreaterThan(0);
  },
  workflow_get_info: async () => {
    expect(codeOf(await asB("workflow_get_info", { workflow: "isoa:hook" }))).toBe("workflow.not_found");
    expect(codeOf(await asB("workflow_get_info", { workflow: "isoa:reviews", version: "1.0.0" }))).toBe(
      "workflow.not_found",
    );
  },
  workflow_export: async () => {
    for (const format of ["yaml", "json", "package"]) {
      expect(codeOf(await asB("workflow_export", { workflow: "isoa:hook", format }))).toBe(
        "workflow.not_found",
      );
    }
  },
  workflow_import: async () => {
    // B's own package goes back into B's tenant only (a no-op there); A's workflows stay as they were
    const exported = await asB("workflow_export", { workflow: "isob:hook", format: "package" });
    const imported = await asB("workflow_import", { package: exported.structured.package });
    expect(imported.structured.versions).toEqual([{ version: "1.0.0", created: false }]);
  },
  workflow_start: async () => {
    expect(codeOf(await asB("workflow_start", { workflow: "isoa:hook" }))).toBe("workflow.not_found");
  },
  workflow_get_next_step: async () => {
    expect(codeOf(await asB("workflow_get_next_step", { workflow_id: w.runOfA }))).toBe("run.not_found");
    expect(
      codeOf(await asB("workflow_get_next_step", { workflow_id: w.graphRunOfA, task_id: "review_api" })),
    ).toBe("run.not_found");
  },
  workflow_step_complete: async () => {
    const call = await asB("workflow_step_complete", {
      workflow_id: w.runOfA,
      step_id: "pick",
      result: { n: 9 },
    });
    expect(codeOf(call)).toBe("run.not_found");
    const task = await asB("workflow_step_complete", {
      workflow_id: w.graphRunOfA,
      step_id: "api_review",
      task_id: "review_api",
      result: "B",
    });
    expect(codeOf(task)).toBe("run.not_found");
  },
  workflow_get_status: async () => {
    expect(codeOf(await asB("workflow_get_status", { workflow_id: w.runOfA }))).toBe("run.not_found");
    expect(codeOf(await asB("workflow_get_status", { workflow_id: w.graphRunOfA }))).toBe("run.not_found");
  },
  workflow_state_read: async () => {
    expect(codeOf(await asB("workflow_state_read", { workflow_id: w.runOfA }))).toBe("run.not_found");
    expect(codeOf(await asB("workflow_state_read", { workflow_id: w.runOfA, paths: ["inputs.name"] }))).toBe(
      "run.not_found",
    );
  },
  workflow_state_update: async () => {
    const call = await asB("workflow_state_update", {
      workflow_id: w.runOfA,
      updates: [{ path: "this.count", value: 99 }],
    });
    expect(codeOf(call)).toBe("run.not_found");
  },
  workflow_list_active: async () => {
    const runs = (await asB("workflow_list_active")).structured.workflows as { workflow_id: string }[];
    expect(runs.every((run) => run.workflow_id !== w.runOfA)).toBe(true);
  },
  workflow_cancel: async () => {
    expect(codeOf(await asB("workflow_cancel", { workflow_id: w.runOfA }))).toBe("run.not_found");
    expect(codeOf(await asB("workflow_cancel", { workflow_id: w.graphRunOfA }))).toBe("run.not_found");
  },
  workflow_subscribe_events: async () => {
    expect(
      codeOf(await asB("workflow_subscribe_events", { event_pattern: "*", workflow: "isoa:greet" })),
    ).toBe("workflow.not_found");
    const own = await asB("workflow_subscribe_events", { event_pattern: "iso.*", workflow: "isob:greet" });
    expect(own.isError, own.text).toBe(false);
    await asB("workflow_unsubscribe", { subscription_id: own.structured.subscription_id });
    // B's catch-all subscription, made before A's events arrived, heard none of them
    const ofB = await asB("workflow_events", { limit: 200, include_payload: true });
    const workflows = (ofB.structured.events as { matches: { workflow: string }[] }[]).flatMap((event) =>
      event.matches.map((match) => match.workflow),
    );
    expect(workflows.every((workflow) => workflow.startsWith("isob:"))).toBe(true);
  },
  workflow_unsubscribe: async () => {
    expect(codeOf(await asB("workflow_unsubscribe", { subscription_id: w.subscriptionOfA }))).toMatch(
      /not_found$/,
    );
  },
  workflow_list_subscriptions: async () => {
    const all = await asB("workflow_list_subscriptions");
    expect((all.structured.subscriptions as unknown[]).length).toBeGreaterThan(0);
    const ofA = await asB("workflow_list_subscriptions", { workflow: "isoa:greet" });
    expect(ofA.isError ? codeOf(ofA) : ofA.structured.count).toEqual(ofA.isError ? "workflow.not_found" : 0);
  },
  workflow_events: async () => {
    await asB("workflow_events", { limit: 200, include_payload: true });
    const byId = await asB("workflow_events", { event_id: w.eventOfA, include_payload: true });
    expect(byId.structured.count).toBe(0);
    const byWorkflow = await asB("workflow_events", { workflow: "isoa:greet" });
    expect(byWorkflow.structured.count ?? 0).toBe(0);
  },
  service_circuits: async () => {
    // A has a circuit for a service of its own (set up before); B sees only its own (none)
    expect((await callTool(w.a.apiKey, "service_circuits")).structured.count).toBe(1);
    expect((await asB("service_circuits")).structured).toEqual({ circuits: [], count: 0 });
  },
  workflow_quota: async () => {
    // B's usage counts B's objects only: its own workflows and secret, none of A's
    const [ofA, ofB] = [await callTool(w.a.apiKey, "workflow_quota"), await asB("workflow_quota")];
    const used = (call: ToolCall, quota: string) =>
      (call.structured.quotas as { quota: string; usage: number | null }[]).find((q) => q.quota === quota)
        ?.usage;
    const bWorkflows = (await asB("workflow_list")).structured.workflows as unknown[];
    expect(used(ofB, "max_workflows")).toBe(bWorkflows.length);
    expect(used(ofA, "max_workflows")).toBe(5);
    expect(used(ofB, "max_workflows")).not.toBe(used(ofA, "max_workflows"));
    expect(used(ofB, "max_secrets")).toBe(1);
  },
  workflow_list_runs: async () => {
    const listed = (await asB("workflow_list_runs", { limit: 200 })).structured.runs as {
      workflow_id: string;
    }[];
    expect(listed.some((run) => run.workflow_id === w.runOfA || run.workflow_id === w.graphRunOfA)).toBe(
      false,
    );
    const byName = await asB("workflow_list_runs", { workflow: "isoa:reviews" });
    expect(byName.structured.runs).toEqual([]);
  },
  workflow_run_history: async () => {
    expect(codeOf(await asB("workflow_run_history", { workflow_id: w.runOfA }))).toBe("run.not_found");
    expect(codeOf(await asB("workflow_run_history", { workflow_id: w.graphRunOfA }))).toBe("run.not_found");
  },
  workflow_graph: async () => {
    expect(codeOf(await asB("workflow_graph", { workflow_id: w.graphRunOfA }))).toBe("run.not_found");
    expect(codeOf(await asB("workflow_graph", { workflow: "isoa:reviews" }))).toBe("workflow.not_found");
  },
  workflow_migrate: async () => {
    for (const dry_run of [true, false]) {
      const ofA = await asB("workflow_migrate", { workflow_id: w.runOfA, to_version: "1.0.0", dry_run });
      expect(codeOf(ofA)).toBe("run.not_found");
      // B's own run of shared:greet 1.0.0 cannot move to the 2.0.0 only A published
      const own = GREET.replace('"demo:greet"', '"shared:greet"').replace(
        "Greets someone",
        "B's own greeting",
      );
      await asB("workflow_publish", { yaml: own });
      const runOfB = (await asB("workflow_start", { workflow: "shared:greet", inputs: { name: "b" } }))
        .structured.workflow_id;
      const toA = await asB("workflow_migrate", { workflow_id: runOfB, to_version: "2.0.0", dry_run });
      expect(codeOf(toA)).toBe("workflow.not_found");
    }
  },
  workflow_migrate_runs: async () => {
    for (const dry_run of [true, false]) {
      const ofA = { workflow: "isoa:greet", from_version: "1.0.0", to_version: "1.1.0", dry_run };
      expect(codeOf(await asB("workflow_migrate_runs", ofA))).toBe("workflow.not_found");
      const toA = { workflow: "shared:greet", from_version: "1.0.0", to_version: "2.0.0", dry_run };
      expect(codeOf(await asB("workflow_migrate_runs", toA))).toBe("workflow.not_found");
    }
  },
  workflow_migrate_rollback: async () => {
    expect(codeOf(await asB("workflow_migrate_rollback", { workflow_id: w.runOfA }))).toBe("run.not_found");
    expect(codeOf(await asB("workflow_migrate_rollback", { workflow_id: w.graphRunOfA }))).toBe(
      "run.not_found",
    );
  },
  plugin_list: async () => {
    expect((await asB("plugin_list")).isError).toBe(false);
  },
  service_register: async () => {
    // A's service name, registered by B: a service of B's own; A's stays as it was
    const own = await asBWithPlugins("service_register", {
      name: "a_private_api",
      uses: "demo@^2",
      config: { endpoint: "https://b-own.example" },
    });
    expect(own.structured.created).toBe(true);
    await asBWithPlugins("service_delete", { name: "a_private_api" });
    expect(codeOf(await asB("service_register", { name: "x", uses: "nope@^1" }))).toBe("plugin.unknown");
  },
  service_list: async () => {
    expect((await asB("service_list")).structured.services).toEqual([]);
  },
  service_delete: async () => {
    expect(codeOf(await asB("service_delete", { name: "a_private_api" }))).toBe("service.not_found");
  },
  workflow_set_default: async () => {
    const call = await asB("workflow_set_default", { workflow: "isoa:hook", version: "1.0.0" });
    expect(codeOf(call)).toBe("workflow.not_found");
    expect(codeOf(await asB("workflow_set_default", { workflow: "isoa:hook", version: "latest" }))).toBe(
      "workflow.not_found",
    );
  },
  workflow_yank: async () => {
    const call = await asB("workflow_yank", { workflow: "isoa:greet", version: "1.0.0", reason: "B" });
    expect(codeOf(call)).toBe("workflow.not_found");
  },
  workflow_unyank: async () => {
    expect(codeOf(await asB("workflow_unyank", { workflow: "isoa:greet", version: "1.0.0" }))).toBe(
      "workflow.not_found",
    );
  },
  workflow_audit: async () => {
    // B's log holds B's own changes only, whatever the order, filter or cursor
    const entries = [
      ...((await asB("workflow_audit", { limit: 200 })).structured.entries as AuditEntry[]),
      ...((await asB("workflow_audit", { order: "oldest_first", limit: 200 })).structured
        .entries as AuditEntry[]),
      ...((await asB("workflow_audit", { action: "workflow.publish" })).structured.entries as AuditEntry[]),
    ];
    expect(entries.length).toBeGreaterThan(0);
    expect(entries.find((entry) => entry.action === "tenant.create")?.object.id).toBe(w.b.id);
    for (const entry of entries) expect(["admin", "system", `key:${w.b.keyId}`]).toContain(entry.actor);
    // A's log has more entries than B's: a cursor past B's own still finds none of A's
    const beyond = await asB("workflow_audit", { order: "oldest_first", cursor: "1", limit: 200 });
    expect((beyond.structured.entries as AuditEntry[]).every((entry) => entry.seq > 1)).toBe(true);
    const aEntries = (await callTool(w.a.apiKey, "workflow_audit", { limit: 200 })).structured
      .entries as AuditEntry[];
    expect(aEntries.some((entry) => entry.object.id === w.subscriptionOfA)).toBe(true);
  },
};

// ── one case per HTTP route ──────────────────────────────────────────────

const bearer = (key: string) => ({ authorization: `Bearer ${key}`, "content-type": "application/json" });

/** Every admin route refuses a tenant key: 401 admin.invalid_token, and A is unchanged. */
function adminRouteCase(method: string, path: () => string, body?: unknown): () => Promise<void> {
  return async () => {
    for (const key of [w.b.apiKey, w.a.apiKey]) {
      const init: RequestInit = { method, headers: bearer(key) };
      if (body !== undefined) init.body = JSON.stringify(body);
      const res = await bFetch(path(), init);
      expect([res.status, errorCodeOf(res.text)]).toEqual([401, "admin.invalid_token"]);
    }
  };
}

/** B's own sign-in link (issued by the admin), its answer recorded as B's. */
async function signInLinkOfB(): Promise<string> {
  const res = await SELF.fetch(`${SECURE_BASE}/admin/tenants/${w.b.id}/sign-in-links`, {
    method: "POST",
    headers: { authorization: `Bearer ${env.ADMIN_TOKEN}` },
  });
  return ((await res.json()) as { url: string }).url;
}

const ROUTE_CASES: Record<string, () => Promise<void>> = {
  "POST /admin/tenants/:id/sign-in-links": adminRouteCase(
    "POST",
    () => `/admin/tenants/${w.a.id}/sign-in-links`,
  ),
  "GET /admin/tenants/:id/grants": adminRouteCase("GET", () => `/admin/tenants/${w.a.id}/grants`),
  "DELETE /admin/tenants/:id/grants": adminRouteCase("DELETE", () => `/admin/tenants/${w.a.id}/grants`),
  "GET /authorize": async () => {
    const page = await openConsent(authorizeUrl(await registerClient(), await newPkce()), `x=${w.b.apiKey}`);
    seen.push({ sent: "GET /authorize", text: page.html });
    expect(page.status).toBe(200);
  },
  "POST /authorize": async () => {
    // a key naming A with B's key id and secret signs in to nobody
    const url = authorizeUrl(await registerClient(), await newPkce());
    const page = await openConsent(url);
    const forged = await postConsent(url, page, {
      decision: "approve",
      apiKey: w.b.apiKey.replace(`efk_${w.b.id}_`, `efk_${w.a.id}_`),
    });
    seen.push({ sent: "POST /authorize (forged key)", text: await forged.text() });
    expect(forged.status).toBe(401);
    // B's grant is bound to B: its token lists B's workflows, never A's
    const { tokens } = await grantWithKey(w.b.apiKey);
    const { body } = await secureMcp(tokens.access_token, "tools/call", {
      name: "workflow_list",
      arguments: {},
    });
    const text = JSON.stringify(body);
    seen.push({ sent: "workflow_list (B's OAuth token)", text });
    expect(text).toContain("isob:greet");
  },
  "GET /sign-in/:code": async () => {
    const url = await signInLinkOfB();
    const forged = url.replace(`/efs_${w.b.id}_`, `/efs_${w.a.id}_`);
    const refused = await SELF.fetch(forged);
    seen.push({ sent: forged, text: await refused.text() });
    expect(refused.status).toBe(410);
    const opened = await SELF.fetch(url);
    const text = await opened.text();
    seen.push({ sent: url, text });
    expect(text).toContain(`Continue as tenant ${w.b.id}`);
  },
  "POST /sign-in/:code": async () => {
    const url = await signInLinkOfB();
    const forged = url.replace(`/efs_${w.b.id}_`, `/efs_${w.a.id}_`);
    const post = (to: string) =>
      SELF.fetch(to, { method: "POST", headers: { origin: SECURE_BASE, "sec-fetch-site": "same-origin" } });
    const refused = await post(forged);
    seen.push({ sent: `POST ${forged}`, text: await refused.text() });
    expect(refused.status).toBe(410);
    const signedIn = await post(url);
    const text = await signedIn.text();
    seen.push({ sent: `POST ${url}`, text });
    expect(text).toContain(`Signed in to ${w.b.id}`);
  },
  "GET /healthz": async () => {
    const res = await bFetch("/healthz", { headers: bearer(w.b.apiKey) });
    expect([res.status, JSON.parse(res.text)]).toEqual([200, { ok: true, build: "dev" }]);
  },
  "GET /metrics": async () => {
    // B's key reads B's series only; a key naming tenant A with B's key id and secret is refused
    const scraped = await bFetch("/metrics", { headers: bearer(w.b.apiKey) });
    seen.push({ sent: "GET /metrics", text: scraped.text });
    expect(scraped.status).toBe(200);
    expect(scraped.text).toContain(`tenant="${w.b.id}"`);
    expect(scraped.text).not.toContain(w.a.id);
    const forged = w.b.apiKey.replace(`efk_${w.b.id}_`, `efk_${w.a.id}_`);
    const refused = await bFetch("/metrics", { headers: bearer(forged) });
    expect([refused.status, errorCodeOf(refused.text)]).toEqual([401, "auth.invalid_key"]);
  },
  "ALL /mcp": async () => {
    // B's key resolves to B; a key naming tenant A with B's key id and secret is refused
    const listed = await mcpRequest(w.b.apiKey, "tools/list");
    expect(listed.status).toBe(200);
    seen.push({ sent: "tools/list", text: JSON.stringify(listed.body) });
    const forged = w.b.apiKey.replace(`efk_${w.b.id}_`, `efk_${w.a.id}_`);
    const res = await bFetch("/mcp", {
      method: "POST",
      headers: { ...bearer(forged), accept: "application/json, text/event-stream" },
      body: JSON.stringify({
        jsonrpc: "2.0",
        id: 1,
        method: "tools/call",
        params: { name: "workflow_list" },
      }),
    });
    expect([res.status, errorCodeOf(res.text)]).toEqual([401, "auth.invalid_key"]);
    // every tool, one by one: the TOOL_CASES below
  },
  "POST /admin/tenants": adminRouteCase("POST", () => "/admin/tenants", { id: "iso-b-made-this" }),
  "GET /admin/tenants/:id": adminRouteCase("GET", () => `/admin/tenants/${w.a.id}`),
  "POST /admin/tenants/:id/keys": adminRouteCase("POST", () => `/admin/tenants/${w.a.id}/keys`, {}),
  "PATCH /admin/tenants/:id/settings": adminRouteCase("PATCH", () => `/admin/tenants/${w.a.id}/settings`, {
    max_runs: 0,
  }),
  "GET /admin/tenants/:id/usage": adminRouteCase("GET", () => `/admin/tenants/${w.a.id}/usage`),
  "DELETE /admin/tenants/:id/keys/:keyId": adminRouteCase(
    "DELETE",
    () => `/admin/tenants/${w.a.id}/keys/${w.a.keyId}`,
  ),
  "GET /admin/tenants/:id/secrets": adminRouteCase("GET", () => `/admin/tenants/${w.a.id}/secrets`),
  "PUT /admin/tenants/:id/secrets/:name": adminRouteCase(
    "PUT",
    () => `/admin/tenants/${w.a.id}/secrets/HOOK_SECRET`,
    {
      value: B_SECRET,
    },
  ),
  "DELETE /admin/tenants/:id/secrets/:name": adminRouteCase(
    "DELETE",
    () => `/admin/tenants/${w.a.id}/secrets/HOOK_SECRET`,
  ),
  "GET /admin/tenants/:id/services": adminRouteCase("GET", () => `/admin/tenants/${w.a.id}/services`),
  "PUT /admin/tenants/:id/services/:name": adminRouteCase(
    "PUT",
    () => `/admin/tenants/${w.a.id}/services/a_private_api`,
    { uses: "demo@^1", config: { base_url: "https://b.example" } },
  ),
  "DELETE /admin/tenants/:id/services/:name": adminRouteCase(
    "DELETE",
    () => `/admin/tenants/${w.a.id}/services/a_private_api`,
  ),
  "POST /admin/tenants/:id/suspend": adminRouteCase("POST", () => `/admin/tenants/${w.a.id}/suspend`, {}),
  "POST /admin/tenants/:id/resume": adminRouteCase("POST", () => `/admin/tenants/${w.a.id}/resume`, {}),
  "DELETE /admin/tenants/:id": adminRouteCase("DELETE", () => `/admin/tenants/${w.a.id}`),
  "GET /admin/tenants/:id/audit": adminRouteCase("GET", () => `/admin/tenants/${w.a.id}/audit`),
  "POST /hooks/:tenant/*": async () => {
    const body = JSON.stringify({ marker: "from B" });
    // signed with B's secret, sent to A's endpoint: A's trigger does not verify it
    const bSigned = await sign("standard", B_SECRET, body);
    const toA = await bFetch(`/hooks/${w.a.id}/deploy`, { method: "POST", headers: { ...bSigned }, body });
    expect([toA.status, errorCodeOf(toA.text)]).toEqual([401, "webhook.bad_signature"]);
    // signed with B's secret and B's key as bearer, still A's endpoint: the key is no credential here
    const withKey = await bFetch(`/hooks/${w.a.id}/deploy`, {
      method: "POST",
      headers: { ...bSigned, authorization: `Bearer ${w.b.apiKey}` },
      body,
    });
    expect(withKey.status).toBe(401);
    // B's own endpoint of the same path runs B's workflow only
    const toB = await bFetch(`/hooks/${w.b.id}/deploy`, { method: "POST", headers: { ...bSigned }, body });
    expect(toB.status).toBe(202);
    // A's delivery replayed to B's endpoint: B's secret does not verify it, nothing starts
    const aSigned = await sign("standard", A_SECRET, body);
    const replayed = await bFetch(`/hooks/${w.b.id}/deploy`, {
      method: "POST",
      headers: { ...aSigned },
      body,
    });
    expect([replayed.status, errorCodeOf(replayed.text)]).toEqual([401, "webhook.bad_signature"]);
  },
  "POST /events": async () => {
    const posted = await bFetch("/events", {
      method: "POST",
      headers: bearer(w.b.apiKey),
      body: JSON.stringify({ type: "iso.ping", payload: { from: "B" } }),
    });
    expect(posted.status).toBe(202);
    const { runs, event_id } = JSON.parse(posted.text) as { runs: string[]; event_id: string };
    await settledEvent(w.b.apiKey, event_id);
    // B's trigger and B's catch-all subscription started B's runs; A's on iso.ping did not
    expect(runs.length).toBe(2);
    for (const run of runs) {
      const status = await asB("workflow_get_status", { workflow_id: run });
      expect(status.isError, status.text).toBe(false);
    }
    const noKey = await bFetch("/events", { method: "POST", body: JSON.stringify({ type: "iso.ping" }) });
    expect([noKey.status, errorCodeOf(noKey.text)]).toEqual([401, "auth.missing_key"]);
  },
};

// ── one case per entry point of the worker ───────────────────────────────

const HANDLER_CASES: Record<string, () => Promise<void>> = {
  fetch: async () => {
    // every route of the fetch handler has its own case in ROUTE_CASES
    seen.push({ sent: "", text: "" });
  },
  queue: async () => {
    // an object under B's prefix is B's file change only, even with A's id later in the key
    const batch = createMessageBatch("edgeflow-file-events", [
      {
        id: `iso-${crypto.randomUUID()}`,
        timestamp: new Date(),
        attempts: 1,
        body: {
          action: "PutObject",
          bucket: "edgeflow-files",
          object: { key: `${w.b.id}/${w.a.id}/notes.md` },
        },
      },
    ]);
    const ctx = createExecutionContext();
    await worker.queue(batch, env, ctx);
    const result = await getQueueResult(batch, ctx);
    expect(result.explicitAcks.length).toBe(1);
    const events = await asB("workflow_events", { type: "file_change" });
    expect(events.structured.count).toBe(1);
  },
};

// ── the matrix ───────────────────────────────────────────────────────────

const registeredRoutes = [
  ...new Set(
    inspectRoutes(createApp())
      .filter((route) => !route.isMiddleware)
      .map((route) => `${route.method} ${route.path}`),
  ),
];

describe("tenant isolation matrix", () => {
  it("has a case for every registered tool, route and handler, and none for things that are gone", async () => {
    const listed = await mcpRequest(w.a.apiKey, "tools/list");
    const advertised = (listed.body.result as { tools: { name: string }[] }).tools.map((tool) => tool.name);
    expect(advertised.sort()).toEqual(TOOLS.map((tool) => tool.name).sort());
    const missing = [
      ...TOOLS.map((tool) => tool.name)
        .filter((name) => !(name in TOOL_CASES))
        .map((name) => `tool ${name}`),
      ...registeredRoutes.filter((route) => !(route in ROUTE_CASES)).map((route) => `route ${route}`),
      ...Object.keys(worker)
        .filter((name) => !(name in HANDLER_CASES))
        .map((name) => `handler ${name}`),
    ];
    expect(missing, "add an isolation case for each to test/worker/isolation-matrix.test.ts").toEqual([]);
    const stale = [
      ...Object.keys(TOOL_CASES).filter((name) => !TOOLS.some((tool) => tool.name === name)),
      ...Object.keys(ROUTE_CASES).filter((route) => !registeredRoutes.includes(route)),
      ...Object.keys(HANDLER_CASES).filter((name) => !(name in worker)),
    ];
    expect(stale, "cases for tools, routes or handlers that no longer exist").toEqual([]);
  });

  it.for(TOOLS.map((tool) => tool.name))("tool %s: B's key reaches nothing of A's", async (name) => {
    const work = TOOL_CASES[name];
    expect(work, `no isolation case for tool ${name}: add one to TOOL_CASES`).toBeDefined();
    await isolated(work!);
  });

  it.for(registeredRoutes)("route %s: B's key or secret reaches nothing of A's", async (route) => {
    const work = ROUTE_CASES[route];
    expect(work, `no isolation case for route ${route}: add one to ROUTE_CASES`).toBeDefined();
    await isolated(work!);
  });

  it.for(Object.keys(worker))("handler %s: reaches only the tenant it names", async (name) => {
    const work = HANDLER_CASES[name];
    expect(work, `no isolation case for handler ${name}: add one to HANDLER_CASES`).toBeDefined();
    await isolated(work!);
  });
});
