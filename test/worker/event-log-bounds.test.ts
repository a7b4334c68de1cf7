/**
 * The event log stays readable whatever was sent (issue 9, item 5): 40 events of 900 KB (36 MB,
 * over the 32 MiB an RPC value may carry; today's `workflow_events {limit: 200}` answered
 * `internal.error`) are all accepted, and every `workflow_events` page answers, within about
 * 1 MiB, payloads only when asked; paging by `next_cursor` returns every event exactly once. A
 * stored event over 1.5 MiB is refused with 413 `events.too_large` and leaves nothing behind;
 * past the tenant's payload budget the oldest payloads go, marked on their events, and no
 * accepted event is lost.
 */
import { runInDurableObject } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { storedBodyBytes, trimEventBodies } from "../../durable-objects/tenant/event-bodies.ts";
import { insertEvent, readEvent } from "../../durable-objects/tenant/event-log.ts";
import { insertPendingStart } from "../../durable-objects/tenant/pending-starts.ts";
import { adminFetch, callTool, mcpRequest, newTenant, toolErrorOf } from "./support/clients.ts";
import { postEvent, postHook, publish, setSecret, sign } from "./support/events.ts";
import { tenantObject } from "./support/runs.ts";

const BIG_EVENTS = 40;
const BIG_PAYLOAD = "x".repeat(900 * 1024);
/** An answer's size limit the test holds the tool to: the 1 MiB page plus the JSON-RPC envelope. */
const MAX_ANSWER_CHARS = 3 * 1024 * 1024;

interface Page {
  events: { event_id: string; payload?: unknown; payload_bytes: number; payload_pruned_at?: string }[];
  count: number;
  next_cursor?: string;
}

/** One `workflow_events` call: its page and the size of the whole JSON-RPC answer. */
async function eventsPage(
  apiKey: string,
  args: Record<string, unknown>,
): Promise<{ page: Page; chars: number }> {
  const { status, body } = await mcpRequest(apiKey, "tools/call", {
    name: "workflow_events",
    arguments: args,
  });
  const result = body.result as { isError?: boolean; structuredContent?: Page } | undefined;
  expect([status, body.error, result?.isError], JSON.stringify(body).slice(0, 300)).toEqual([
    200,
    undefined,
    undefined,
  ]);
  return { page: result?.structuredContent as Page, chars: JSON.stringify(body).length };
}

/** Every page from the first, following next_cursor; checks each answer's size. */
async function allPages(apiKey: string, args: Record<string, unknown>): Promise<Page[]> {
  const pages: Page[] = [];
  let cursor: string | undefined;
  do {
    const { page, chars } = await eventsPage(apiKey, {
      ...args,
      ...(cursor === undefined ? {} : { cursor }),
    });
    expect(chars).toBeLessThan(MAX_ANSWER_CHARS);
    pages.push(page);
    cursor = page.next_cursor;
    expect(pages.length).toBeLessThanOrEqual(BIG_EVENTS + 1);
  } while (cursor !== undefined);
  return pages;
}

describe("a log of large events", () => {
  let tenant: { id: string; apiKey: string };
  const accepted: string[] = [];

  beforeAll(async () => {
    tenant = await newTenant("bigevents");
    for (let n = 0; n < BIG_EVENTS; n++) {
      const res = await postEvent(tenant.apiKey, { type: "big.blob", payload: { n, blob: BIG_PAYLOAD } });
      expect(res.status).toBe(202);
      accepted.push(res.body.event_id!);
    }
  });

  it("workflow_events {limit: 200} answers, without payloads, every accepted event in one page", async () => {
    const { page, chars } = await eventsPage(tenant.apiKey, { limit: 200 });
    expect(chars).toBeLessThan(MAX_ANSWER_CHARS);
    expect(page.events.map((event) => event.event_id).sort()).toEqual([...accepted].sort());
    expect(page.next_cursor).toBeUndefined();
    for (const event of page.events) {
      expect(event.payload).toBeUndefined();
      expect(event.payload_bytes).toBeGreaterThan(900 * 1024);
    }
  });

  it("with payloads, pages of about 1 MiB; the cursor returns every event exactly once, newest first", async () => {
    const pages = await allPages(tenant.apiKey, { limit: 200, include_payload: true });
    expect(pages.length).toBeGreaterThan(1);
    const seen = pages.flatMap((page) => page.events);
    expect(seen.map((event) => event.event_id)).toEqual([...accepted].reverse());
    for (const event of seen) expect(event.payload).toMatchObject({ blob: BIG_PAYLOAD });
  });

  it("small limits page too, with or without payloads, and filters hold across pages", async () => {
    for (const args of [{ limit: 7 }, { limit: 3, include_payload: true }, { limit: 1, type: "big.blob" }]) {
      const seen = (await allPages(tenant.apiKey, args)).flatMap((page) => page.events);
      expect(seen.map((event) => event.event_id)).toEqual([...accepted].reverse());
    }
  });

  it("a cursor that is not one workflow_events gave is a coded error", async () => {
    // well-formed tokens that do not decode to a position: W10 is [], WyJ4IiwxXQ is ["x",1]
    for (const cursor of ["nope", "W10", "WyJ4IiwxXQ"]) {
      const call = await callTool(tenant.apiKey, "workflow_events", { cursor });
      expect([cursor, toolErrorOf(call)]).toMatchObject([
        cursor,
        { code: "events.invalid_cursor", path: "cursor" },
      ]);
    }
    // not a token at all: the input schema refuses it
    for (const cursor of ["a".repeat(600), "!!", ""]) {
      const call = await callTool(tenant.apiKey, "workflow_events", { cursor });
      expect([cursor, toolErrorOf(call).path]).toEqual([cursor, "cursor"]);
    }
  });
});

describe("the per-event cap", () => {
  const FORM_HOOK = `name: "bounds:form"
description: "Takes forms"
version: "1.0.0"
triggers:
  - type: webhook
    endpoint: "/form"
    signature: github
    secret: "{{ env.FORM_SECRET }}"
steps:
  - id: "note"
    type: "user_message"
    message: "form"
`;

  it("a signed form that grows past 1.5 MiB when stored is 413 events.too_large, and nothing is kept", async () => {
    const tenant = await newTenant("bigform");
    await setSecret(tenant.id, "FORM_SECRET", "form secret");
    await publish(tenant.apiKey, FORM_HOOK);
    // 200,000 distinct empty fields: 1 MB of form, about 2 MB of JSON object
    const body = Array.from({ length: 200_000 }, (_, n) => n.toString(36).padStart(4, "0")).join("&");
    expect(body.length).toBeLessThan(1024 * 1024);
    const headers = {
      ...(await sign("github", "form secret", body)),
      "content-type": "application/x-www-form-urlencoded",
    };
    for (let attempt = 0; attempt < 2; attempt++) {
      const res = await postHook(tenant.id, "/form", body, headers);
      expect([res.status, res.body.error?.code]).toEqual([413, "events.too_large"]);
    }
    const log = await callTool(tenant.apiKey, "workflow_events", {});
    expect(log.structured.events).toEqual([]);
    const small = "a=1";
    const ok = await postHook(tenant.id, "/form", small, {
      ...(await sign("github", "form secret", small)),
      "content-type": "application/x-www-form-urlencoded",
    });
    expect(ok.status).toBe(202);
  });
});

describe("the per-tenant payload budget", () => {
  it("past it the oldest payloads are pruned, marked on their events; every accepted event stays", async () => {
    const tenant = await newTenant("budget");
    const budget = 3 * 1024 * 1024;
    const patched = await adminFetch(`/admin/tenants/${tenant.id}/settings`, {
      method: "PATCH",
      body: JSON.stringify({ max_event_payload_bytes: budget }),
    });
    expect(patched.status).toBe(200);
    const accepted: string[] = [];
    for (let n = 0; n < 8; n++) {
      const res = await postEvent(tenant.apiKey, { type: "big.blob", payload: { n, blob: BIG_PAYLOAD } });
      expect(res.status).toBe(202);
      accepted.push(res.body.event_id!);
    }
    const seen = (await allPages(tenant.apiKey, { limit: 200, include_payload: true })).flatMap(
      (page) => page.events,
    );
    expect(seen.map((event) => event.event_id)).toEqual([...accepted].reverse());
    const kept = seen.filter((event) => event.payload_pruned_at === undefined);
    const pruned = seen.filter((event) => event.payload_pruned_at !== undefined);
    // the newest payloads are kept, within the budget; the oldest are marked pruned, without payload
    expect(kept.map((event) => event.event_id)).toEqual([...accepted].reverse().slice(0, kept.length));
    expect(kept.length).toBeGreaterThan(0);
    expect(kept.reduce((sum, event) => sum + event.payload_bytes, 0)).toBeLessThanOrEqual(budget);
    expect(pruned.length).toBeGreaterThan(0);
    for (const event of kept) expect(event.payload).toMatchObject({ blob: BIG_PAYLOAD });
    for (const event of pruned) {
      expect(event.payload).toBeUndefined();
      expect(event.payload_bytes).toBeGreaterThan(900 * 1024);
    }
  });
});

describe("trimming to the budget", () => {
  it("goes oldest first, keeps a body a pending start still needs, and keeps the total in step", async () => {
    const tenant = await newTenant("trim");
    await runInDurableObject(tenantObject(tenant.id), (_instance, state) => {
      const { sql } = state.storage;
      const payload = { blob: "y".repeat(1000) };
      for (const [n, id] of ["e1", "e2", "e3", "e4"].entries()) {
        insertEvent(sql, {
          id,
          type: "t",
          source: "s",
          receivedAt: 1000 + n,
          status: "accepted",
          event: { id, type: "t", source: "s", payload, receivedAt: 1000 + n },
        });
      }
      // the oldest event's run has not started yet: its body is needed to re-drive it
      insertPendingStart(sql, {
        runId: "wf_000000000000000000000001",
        eventId: "e1",
        position: 0,
        workflow: "w",
        inputs: {},
        attempts: 0,
        nextAttemptAt: 0,
      });
      const each = readEvent(sql, "e2")!.bodyBytes!;
      expect(storedBodyBytes(sql)).toBe(4 * each);
      // room for two bodies: e1 is pending, so e2 and e3 go
      expect(trimEventBodies(sql, 2 * each, 5000)).toBe(2);
      expect(storedBodyBytes(sql)).toBe(2 * each);
      expect(readEvent(sql, "e1")).toMatchObject({ event: { payload } });
      expect(readEvent(sql, "e2")).toMatchObject({ bodyPrunedAt: 5000, bodyBytes: each });
      expect(readEvent(sql, "e2")?.event).toBeUndefined();
      expect(readEvent(sql, "e3")?.bodyPrunedAt).toBe(5000);
      expect(readEvent(sql, "e4")).toMatchObject({ event: { payload } });
      expect(trimEventBodies(sql, 2 * each, 6000)).toBe(0);
    });
  });
});
