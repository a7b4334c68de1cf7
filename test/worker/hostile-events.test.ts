/**
 * Hostile input on the event surfaces: `POST /hooks/:tenant/*` (generated signature headers,
 * timestamps, content types, endpoints and tenants, and bodies that are validly signed, so they
 * get past verification into parsing, matching, filters, mappings and storage) and `POST /events`
 * (generated event bodies, raw bodies, headers). By hand: 100k-level nesting in signed bodies,
 * 10 MB bodies, invalid UTF-8, `__proto__` in payloads, headers and form fields. Then the event
 * log under load (issue 9): large multi-byte payloads, and generated `workflow_events` calls that
 * must each answer within the page budget, with paging that returns every event once; and
 * enumeration probes: made-up tenants and a real tenant's made-up endpoints must get
 * byte-identical answers. Never a 5xx, stable codes, nothing logged as unexpected, and the tenant
 * still takes a normal delivery and a normal event afterwards.
 */

import { SELF } from "cloudflare:test";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MAX_TRIGGERS } from "../../engine/dialect/triggers.ts";
import { MAX_WEBHOOK_SECRETS, type WebhookScheme } from "../../engine/events/index.ts";
import { BASE, callTool } from "./support/clients.ts";
import { eventLog, publish, setSecret, settledEvent, sign } from "./support/events.ts";
import {
  deepJsonText,
  deepObjectText,
  encodeSegment,
  hostileHeader,
  hostileJson,
  hostileKey,
  hostileString,
} from "./support/hostile-arbitraries.ts";
import { hostileSuite, sendableHeaders } from "./support/hostile-suite.ts";
import { expectNoStrayObjects } from "./support/stored-objects.ts";

const DELIVERIES = 1_000;
const EVENTS = 800;
const LARGE_EVENTS = 24;
const LOG_READS = 120;
const PROBES = 150;
/** The largest `workflow_events` answer accepted here: the 1 MiB page and the JSON-RPC envelope around it. */
const MAX_LOG_ANSWER_CHARS = 3 * 1024 * 1024;

const STANDARD_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const GITHUB_SECRET = "a github secret";
const STRIPE_SECRET = "whsec_stripe_signing_secret";
const SECRETS: Record<WebhookScheme, string> = {
  standard: STANDARD_SECRET,
  github: GITHUB_SECRET,
  stripe: STRIPE_SECRET,
};

function hookWorkflow(scheme: WebhookScheme, secretName: string): string {
  return `name: "hostile:${scheme}"
description: "Filters and maps whatever arrives"
version: "1.0.0"
inputs:
  value:
    type: "any"
    required: false
triggers:
  - type: webhook
    endpoint: "/${scheme}"
    signature: ${scheme}
    secret: "{{ env.${secretName} }}"
    filter: "payload === null || typeof payload !== 'object' || payload.skip !== true"
    inputs_mapping:
      value: "typeof payload === 'object' && payload !== null ? payload.value : payload"
steps:
  - id: "say"
    type: "user_message"
    message: "got {{ inputs.value }} from {{ event.source }}"
`;
}

const EVENT_WORKFLOW = `name: "hostile:events"
description: "Custom events and file changes with hostile payloads"
version: "1.0.0"
inputs:
  value:
    type: "any"
    required: false
triggers:
  - type: event
    event_type: "hostile.*"
    filter: "payload === null || typeof payload !== 'object' || !payload.skip"
    inputs_mapping:
      value: "{{ payload }}"
  - type: file_change
    pattern: ["**/*.ts", "!**/skip/**"]
    inputs_mapping:
      value: "path"
steps:
  - id: "say"
    type: "user_message"
    message: "event {{ event.type }}: {{ inputs.value }}"
`;

let accepted = 0;
const { harness, tenant, tool } = hostileSuite({
  suite: "events",
  minimum: 1_750,
  tenantPrefix: "hostile-ev",
  setup: async (tenant) => {
    await setSecret(tenant.id, "STANDARD_SECRET", STANDARD_SECRET);
    await setSecret(tenant.id, "GITHUB_SECRET", GITHUB_SECRET);
    await setSecret(tenant.id, "STRIPE_SECRET", STRIPE_SECRET);
    await publish(tenant.apiKey, hookWorkflow("standard", "STANDARD_SECRET"));
    await publish(tenant.apiKey, hookWorkflow("github", "GITHUB_SECRET"));
    await publish(tenant.apiKey, hookWorkflow("stripe", "STRIPE_SECRET"));
    await publish(tenant.apiKey, EVENT_WORKFLOW);
  },
  summary: () => `hostile events: ${accepted} deliveries and events accepted (202)`,
});

async function deliver(
  surface: string,
  path: string,
  body: BodyInit,
  headers: Record<string, string>,
): Promise<void> {
  const init: RequestInit = { method: "POST", headers: sendableHeaders(headers), body };
  const answer = await harness.send(surface, path, init);
  if (answer.status === 202) accepted += 1;
}

const contentType = fc.oneof(
  fc.constantFrom(
    "application/json",
    "application/vnd.api+json",
    "application/x-www-form-urlencoded",
    "text/plain",
    "application/octet-stream",
    "multipart/form-data; boundary=x",
    "application/json; charset=latin1",
  ),
  hostileHeader,
);

/** A body as text: JSON of hostile values, a form, plain text, or JSON with prototype keys. */
const bodyText = fc.oneof(
  { weight: 4, arbitrary: hostileJson.map((value) => JSON.stringify(value) ?? "null") },
  {
    weight: 1,
    arbitrary: fc
      .dictionary(hostileKey, hostileString, { maxKeys: 4 })
      .map((form) => new URLSearchParams(form).toString()),
  },
  {
    weight: 1,
    arbitrary: hostileJson.map((value) => `payload=${encodeURIComponent(JSON.stringify(value) ?? "")}`),
  },
  { weight: 1, arbitrary: fc.string({ maxLength: 200 }) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '{"__proto__":{"polluted":1},"value":1}',
      '{"constructor":{"prototype":{"polluted":1}}}',
      '{"id":"evt_1","__proto__":{"id":"evt_2"}}',
      "__proto__[polluted]=1&constructor[prototype][polluted]=1",
      '{"skip":true}',
      "",
    ),
  },
);

describe("hostile webhooks", () => {
  it(`generated deliveries: signed, mis-signed and unsigned (${DELIVERIES})`, async () => {
    const delivery = fc.record({
      scheme: fc.constantFrom<WebhookScheme>("standard", "github", "stripe"),
      signing: fc.constantFrom(
        "valid",
        "valid",
        "valid",
        "wrong-secret",
        "tampered",
        "stale",
        "future",
        "garbled",
        "none",
      ),
      target: fc.oneof(
        { weight: 8, arbitrary: fc.constant("own") },
        {
          weight: 1,
          arbitrary: fc.constantFrom("/other", "/", "//", "/standard/../github", "/%2e%2e", "/a".repeat(300)),
        },
        { weight: 1, arbitrary: hostileString.map((value) => `/${encodeSegment(value)}`) },
      ),
      tenantId: fc.oneof(
        { weight: 9, arbitrary: fc.constant("own") },
        { weight: 1, arbitrary: fc.constantFrom("no-such-tenant", "Bad_Id", "-", "a".repeat(64), "%00") },
      ),
      body: fc.oneof(
        { weight: 5, arbitrary: bodyText },
        { weight: 1, arbitrary: fc.uint8Array({ maxLength: 200 }) },
      ),
      contentType,
      id: fc.oneof(fc.uuid(), hostileHeader),
      extra: fc.dictionary(
        fc.constantFrom(
          "webhook-id",
          "webhook-timestamp",
          "webhook-signature",
          "x-hub-signature-256",
          "x-github-delivery",
          "x-github-event",
          "stripe-signature",
          "authorization",
          "cookie",
          "content-length",
          "x-forwarded-for",
        ),
        hostileHeader,
        { maxKeys: 2 },
      ),
    });
    await fc.assert(
      fc.asyncProperty(delivery, async (d) => {
        const text = typeof d.body === "string" ? d.body : new TextDecoder().decode(d.body);
        let headers: Record<string, string> = {};
        const now =
          Date.now() + (d.signing === "stale" ? -3_600_000 : d.signing === "future" ? 3_600_000 : 0);
        if (d.signing !== "none") {
          const secret =
            d.signing === "wrong-secret" ? "whsec_d3Jvbmcgc2VjcmV0IGZvciB0aGlzIG9uZQ==" : SECRETS[d.scheme];
          headers = await sign(d.scheme, secret, d.signing === "tampered" ? `${text} ` : text, {
            now,
            id: d.id,
          });
          if (d.signing === "garbled") {
            headers = Object.fromEntries(
              Object.entries(headers).map(([name, value]) => [name, value.slice(0, -5)]),
            );
          }
        }
        if (d.scheme === "github") headers["x-github-event"] = "push";
        headers = { ...headers, ...d.extra, "content-type": d.contentType };
        const tenantId = d.tenantId === "own" ? tenant.id : d.tenantId;
        const endpoint = d.target === "own" ? `/${d.scheme}` : d.target;
        // a signed body is sent as the exact text that was signed
        const body = typeof d.body === "string" || d.signing !== "none" ? text : d.body;
        await deliver(`hook:${d.signing}`, `/hooks/${tenantId}${endpoint}`, body, headers);
      }),
      { numRuns: DELIVERIES },
    );
    harness.expectQuietLog();
    await expectNoStrayObjects();
  });

  it("signed deliveries with 100k-level nesting, prototype keys and invalid UTF-8", async () => {
    const bodies = [
      deepJsonText(100_000),
      deepObjectText(100_000),
      `{"value":${deepJsonText(10_000)}}`,
      `{"value":${deepJsonText(150)}}`,
      `payload=${encodeURIComponent(deepJsonText(50_000))}`,
      '{"__proto__":{"polluted":1},"value":{"__proto__":{"polluted":1}}}',
      '{"value":"x","constructor":{"prototype":{"polluted":1}},"prototype":1}',
    ];
    for (const scheme of ["standard", "github", "stripe"] as const) {
      for (const [index, body] of bodies.entries()) {
        const headers = await sign(scheme, SECRETS[scheme], body, { id: `deep-${scheme}-${index}` });
        await deliver("classic:deep", `/hooks/${tenant.id}/${scheme}`, body, {
          ...headers,
          "x-github-event": "push",
        });
      }
      for (const bytes of [
        [0xff, 0xfe],
        [0xc3, 0x28],
        [0xed, 0xa0, 0x80],
        [0x7b, 0x22, 0xff, 0x22, 0x7d],
      ]) {
        const body = new Uint8Array(bytes);
        // signed over the bytes as a sender would: the signature helper takes text, so sign the
        // Latin-1 view and send the bytes; verification fails or parsing does, never a 500
        const headers = await sign(scheme, SECRETS[scheme], String.fromCharCode(...bytes));
        await deliver("classic:utf8", `/hooks/${tenant.id}/${scheme}`, body, headers);
        await deliver("classic:utf8", `/hooks/${tenant.id}/${scheme}`, body, {
          "content-type": "application/json",
        });
      }
    }
    const tenMegabytes = "x".repeat(10 * 1024 * 1024);
    await deliver("classic:10MB", `/hooks/${tenant.id}/standard`, tenMegabytes, {});
    await deliver(
      "classic:10MB",
      `/hooks/${tenant.id}/standard`,
      new Blob([tenMegabytes]).stream() as never,
      {},
    );
    harness.expectPrototypesIntact();
    harness.expectQuietLog();
  });
});

describe("hostile posted events", () => {
  const post = (body: BodyInit, headers: Record<string, string> = {}) =>
    deliver("events", "/events", body, {
      authorization: `Bearer ${tenant.apiKey}`,
      "content-type": "application/json",
      ...headers,
    });

  it(`generated event bodies (${EVENTS})`, async () => {
    const event = fc.record(
      {
        id: fc.oneof(fc.uuid(), hostileString),
        type: fc.oneof(
          {
            weight: 3,
            arbitrary: fc.constantFrom("hostile.ping", "file_change", "webhook", "schedule", "hostile.*"),
          },
          { weight: 1, arbitrary: hostileString },
        ),
        source: hostileString,
        payload: fc.oneof(
          hostileJson,
          fc.record({
            path: fc.oneof(fc.constantFrom("a.ts", "skip/b.ts", "../x.ts", "/abs.ts"), hostileString),
            change: fc.oneof(fc.constantFrom("created", "modified", "deleted"), hostileString),
          }),
        ),
        extra: hostileJson,
      },
      { requiredKeys: ["type"] },
    );
    const body = fc.oneof(
      { weight: 5, arbitrary: event.map((value) => JSON.stringify(value)) },
      {
        weight: 2,
        arbitrary: fc
          .oneof(fc.array(event, { maxLength: 4 }), hostileJson)
          .map((events) => JSON.stringify({ events }) ?? ""),
      },
      { weight: 1, arbitrary: hostileJson.map((value) => JSON.stringify(value) ?? "") },
      { weight: 1, arbitrary: fc.string({ maxLength: 200 }) },
    );
    await fc.assert(
      fc.asyncProperty(body, contentType, (text, type) => post(text, { "content-type": type })),
      { numRuns: EVENTS },
    );
    harness.expectQuietLog();
  });

  it("100k-level nesting, 10 MB, invalid UTF-8 and prototype keys", async () => {
    for (const deep of [deepJsonText(100_000), deepObjectText(100_000), deepJsonText(150)]) {
      await post(`{"type":"hostile.deep","payload":${deep}}`);
      await post(deep);
    }
    await post(`{"type":"hostile.big","payload":"${"x".repeat(10 * 1024 * 1024)}"}`);
    for (const bytes of [
      [0xff, 0xfe],
      [0x7b, 0x22, 0x74, 0x79, 0x70, 0x65, 0x22, 0x3a, 0x22, 0xc3, 0x28, 0x22, 0x7d],
    ]) {
      await post(new Uint8Array(bytes));
    }
    for (const body of [
      '{"type":"hostile.proto","payload":{"__proto__":{"polluted":1}}}',
      '{"type":"hostile.proto","__proto__":{"polluted":1}}',
      '{"__proto__":{"type":"hostile.proto"}}',
      '{"type":"hostile.proto","payload":{"constructor":{"prototype":{"polluted":1}}}}',
      '{"type":"__proto__"}',
      '{"type":"constructor"}',
    ]) {
      await post(body);
    }
    harness.expectPrototypesIntact();
    harness.expectQuietLog();
  });

  it("the tenant still takes a normal delivery and a normal event", async () => {
    const body = JSON.stringify({ value: "normal" });
    const res = await harness.send("after", `/hooks/${tenant.id}/standard`, {
      method: "POST",
      headers: { ...(await sign("standard", STANDARD_SECRET, body)), "content-type": "application/json" },
      body,
    });
    expect(res.status).toBe(202);
    const receipt = JSON.parse(res.text) as { event_id: string; runs: string[] };
    expect(receipt.runs).toHaveLength(1);
    const event = await settledEvent(tenant.apiKey, receipt.event_id);
    expect(event.matches[0]).toMatchObject({ outcome: "started" });
    const status = await callTool(tenant.apiKey, "workflow_get_status", { workflow_id: receipt.runs[0] });
    expect(status.structured).toMatchObject({ state: { inputs: { value: "normal" } } });
    const posted = await harness.send("after", "/events", {
      method: "POST",
      headers: { authorization: `Bearer ${tenant.apiKey}`, "content-type": "application/json" },
      body: JSON.stringify({ type: "hostile.after", payload: { value: 1 } }),
    });
    expect(posted.status).toBe(202);
  });
});

describe("the event log under large payloads", () => {
  const largeIds: string[] = [];

  it(`large multi-byte payloads are accepted up to the body limit (${LARGE_EVENTS})`, async () => {
    // 1, 2, 3 and 4-byte characters: byte budgets must count bytes, not characters
    const units = ["x", "é", "€", "😀"];
    for (let n = 0; n < LARGE_EVENTS; n++) {
      const unit = units[n % units.length] as string;
      const bytesPerUnit = new TextEncoder().encode(unit).length;
      const size = Math.floor(((0.2 + (n % 4) * 0.25) * 1024 * 1024) / bytesPerUnit);
      const body = JSON.stringify({ type: "hostile.large", payload: { n, text: unit.repeat(size) } });
      const answer = await harness.send("log:large", "/events", {
        method: "POST",
        headers: { authorization: `Bearer ${tenant.apiKey}`, "content-type": "application/json" },
        body,
      });
      if (answer.status === 202) {
        accepted += 1;
        largeIds.push((JSON.parse(answer.text) as { event_id: string }).event_id);
      } else expect(answer.codes).toEqual(["request.too_large"]);
    }
    expect(largeIds.length).toBeGreaterThan(LARGE_EVENTS / 2);
    harness.expectQuietLog();
  });

  it(`generated workflow_events calls each answer within the page budget (${LOG_READS})`, async () => {
    const valid = fc.record(
      {
        limit: fc.integer({ min: 1, max: 200 }),
        include_payload: fc.boolean(),
        type: fc.constantFrom("hostile.large", "webhook", "hostile.ping"),
        status: fc.constantFrom("accepted", "rejected"),
      },
      { requiredKeys: ["limit", "include_payload"] },
    );
    const hostile = fc.record(
      {
        limit: fc.oneof(fc.integer({ min: 1, max: 200 }), fc.constantFrom(0, 201, -1, 1.5, "20")),
        include_payload: fc.oneof(fc.boolean(), fc.constantFrom("yes", 1, null)),
        type: fc.oneof(fc.constantFrom("hostile.large", "webhook"), hostileString),
        status: fc.oneof(fc.constantFrom("accepted", "rejected", "skipped"), hostileString),
        cursor: fc.oneof(
          fc.constantFrom("W10", "WyJ4IiwxXQ", "WzEsIngiXQ", "", "!!", "a".repeat(600)),
          hostileString,
        ),
        before: fc.oneof(fc.constant(new Date().toISOString()), hostileString),
        event_id: fc.oneof(fc.constantFrom(...largeIds.slice(0, 3)), hostileString),
      },
      { requiredKeys: [] },
    );
    const args = fc.oneof({ weight: 2, arbitrary: valid }, { weight: 1, arbitrary: hostile });
    await fc.assert(
      fc.asyncProperty(args, async (input) => {
        const answer = await tool("log:read", "workflow_events", input);
        expect(answer.text.length).toBeLessThan(MAX_LOG_ANSWER_CHARS);
      }),
      { numRuns: LOG_READS },
    );
    harness.expectQuietLog();
  });

  it("paging by cursor returns every event exactly once, with and without payloads", async () => {
    const everyId = async (includePayload: boolean): Promise<string[]> => {
      const ids: string[] = [];
      let cursor: string | undefined;
      do {
        const answer = await tool("log:page", "workflow_events", {
          limit: 200,
          include_payload: includePayload,
          ...(cursor === undefined ? {} : { cursor }),
        });
        expect(answer.text.length).toBeLessThan(MAX_LOG_ANSWER_CHARS);
        const page = answer.structured as { events: { event_id: string }[]; next_cursor?: string };
        ids.push(...page.events.map((event) => event.event_id));
        cursor = page.next_cursor;
      } while (cursor !== undefined);
      return ids;
    };
    const withPayloads = await everyId(true);
    const without = await everyId(false);
    expect(new Set(withPayloads).size).toBe(withPayloads.length);
    expect(withPayloads).toEqual(without);
    expect(withPayloads).toEqual(expect.arrayContaining(largeIds));
  });
});

describe("enumeration probes on /hooks", () => {
  it(`made-up tenants and a real tenant's made-up endpoints get byte-identical answers (${PROBES})`, async () => {
    const probe = async (path: string) => {
      const init = { method: "POST", headers: { "content-type": "application/json" }, body: "{}" };
      await harness.send("probe", path, init);
      // the same request again, for its headers (the harness reads only the body)
      const res = await SELF.fetch(`${BASE}${path}`, init);
      const headers = [...res.headers].filter(([name]) => name !== "x-request-id");
      return { status: res.status, headers, body: await res.text() };
    };
    const reference = await probe(`/hooks/${tenant.id}/nobody-listens`);
    expect(reference.status).toBe(404);
    const target = fc.record({
      tenantId: fc.oneof(
        { weight: 2, arbitrary: fc.constant(tenant.id) },
        { weight: 2, arbitrary: fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,20}[a-z0-9]$/) },
        { weight: 1, arbitrary: fc.constantFrom("Bad_Id", "-", "a".repeat(64), "%00", "hostile-ev") },
      ),
      endpoint: fc.oneof(
        fc.constantFrom("nobody", "standard-x", "github/x", "a/b/c", "x".repeat(300)),
        hostileString.map((value) => `probe-${encodeSegment(value)}`),
      ),
    });
    await fc.assert(
      fc.asyncProperty(target, async ({ tenantId, endpoint }) => {
        const answer = await probe(`/hooks/${tenantId}/${endpoint}`);
        expect(answer).toEqual(reference);
      }),
      { numRuns: PROBES },
    );
    harness.expectQuietLog();
  });
});

describe("the work one intake call can cost", () => {
  const SPIN_WORKFLOWS = 3;
  const SPIN_CALLS = 10;
  const CROWDED_DELIVERIES = 20;

  it(`spinning filters on every trigger: each POST /events answers 202 within its work budget (${SPIN_CALLS})`, async () => {
    for (let w = 0; w < SPIN_WORKFLOWS; w++) {
      const triggers = Array.from(
        { length: MAX_TRIGGERS },
        (_, i) =>
          `  - id: t${i}\n    type: event\n    event_type: "hostile.spin.*"\n    filter: "(()=>{while(true){}})()"`,
      );
      await publish(
        tenant.apiKey,
        `name: "hostile:spin${w}"\ndescription: "Filters that never end"\nversion: "1.0.0"\ntriggers:\n${triggers.join("\n")}\nsteps:\n  - id: "say"\n    type: "user_message"\n    message: "never"\n`,
      );
    }
    let lastEventId = "";
    for (let call = 0; call < SPIN_CALLS; call++) {
      const answer = await harness.send("intake:spin", "/events", {
        method: "POST",
        headers: { authorization: `Bearer ${tenant.apiKey}`, "content-type": "application/json" },
        body: JSON.stringify({
          events: Array.from({ length: 3 }, (_, i) => ({ type: `hostile.spin.${i}`, payload: { call, i } })),
        }),
      });
      expect(answer.status).toBe(202);
      lastEventId = (JSON.parse(answer.text) as { events: { event_id: string }[] }).events.at(-1)!.event_id;
    }
    const [last] = await eventLog(tenant.apiKey, { event_id: lastEventId });
    const spun = (last?.matches ?? []).filter((match) => match.workflow.startsWith("hostile:spin"));
    expect(spun).toHaveLength(SPIN_WORKFLOWS * MAX_TRIGGERS);
    expect(spun.every((match) => match.outcome === "filter_error")).toBe(true);
    harness.expectQuietLog();
  });

  it(`anonymous deliveries with a bogus signature to an endpoint with many subscribers (${CROWDED_DELIVERIES})`, async () => {
    for (let w = 0; w < 5; w++) {
      const secrets = Array.from({ length: MAX_WEBHOOK_SECRETS }, (_, i) => `"{{ env.CROWD_${w}_${i} }}"`);
      await publish(
        tenant.apiKey,
        `name: "hostile:crowd${w}"\ndescription: "Many secrets on one endpoint"\nversion: "1.0.0"\ntriggers:\n  - type: webhook\n    endpoint: "/crowded"\n    signature: github\n    secret: [${secrets.join(", ")}]\nsteps:\n  - id: "say"\n    type: "user_message"\n    message: "never"\n`,
      );
    }
    for (let w = 0; w < 5; w++) {
      for (let i = 0; i < MAX_WEBHOOK_SECRETS; i++)
        await setSecret(tenant.id, `CROWD_${w}_${i}`, `crowd ${w} ${i}`);
    }
    const body = JSON.stringify({ blob: "z".repeat(512 * 1024) });
    for (let n = 0; n < CROWDED_DELIVERIES; n++) {
      const answer = await harness.send("intake:crowded", `/hooks/${tenant.id}/crowded`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-hub-signature-256": `sha256=${"ab".repeat(32)}` },
        body,
      });
      expect(answer.status).toBe(401);
      expect(answer.codes).toEqual(["webhook.bad_signature"]);
    }
    harness.expectQuietLog();
  });
});
