/**
 * Hostile input on `/admin/*` and on the app's routing: generated methods, paths, tenant ids,
 * key ids, secret names, bodies (shaped like each route's, or anything) and Authorization
 * headers against every admin route; generated paths and methods against the whole app
 * (`/healthz`, `/mcp`, `/hooks`, `/events`, unknown routes). By hand: 10 MB bodies, invalid
 * UTF-8, 100k-level nesting in settings, prototype keys as setting names and secret names.
 * Never a 5xx, stable codes, nothing logged as unexpected; the tenant and its key work after.
 */
import { env } from "cloudflare:test";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { adminFetch, callTool, newTenant } from "./support/clients.ts";
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

const ADMIN_CALLS = 1_200;
const ROUTING_CALLS = 600;

/** a tenant whose key must keep working whatever the admin calls do to `target` */
let bystander: { id: string; apiKey: string };
/** `target`: the tenant the admin calls are aimed at (its first key is never revoked: see `keyId`) */
const { harness, tenant: target } = hostileSuite({
  suite: "admin",
  minimum: 1_500,
  tenantPrefix: "hostile-adm",
  setup: async () => {
    bystander = await newTenant("bystander");
  },
});

const auth = fc.oneof(
  { weight: 8, arbitrary: fc.constant<string | undefined>("admin") },
  { weight: 1, arbitrary: fc.constant<string | undefined>(undefined) },
  { weight: 1, arbitrary: fc.constant<string | undefined>("tenant") },
  { weight: 1, arbitrary: hostileHeader.map<string | undefined>((value) => `Bearer ${value}`) },
  { weight: 1, arbitrary: hostileHeader.map<string | undefined>((value) => value) },
);

function authorization(choice: string | undefined): Record<string, string> {
  if (choice === undefined) return {};
  if (choice === "admin") return { authorization: `Bearer ${env.ADMIN_TOKEN}` };
  if (choice === "tenant") return { authorization: `Bearer ${target.apiKey}` };
  return { authorization: choice };
}

function send(
  surface: string,
  path: string,
  method: string,
  headers: Record<string, string>,
  body?: BodyInit,
) {
  const init: RequestInit = { method, headers: sendableHeaders(headers) };
  if (body !== undefined && method !== "GET" && method !== "HEAD") init.body = body;
  return harness.send(surface, path, init);
}

const segment = fc.oneof(
  { weight: 6, arbitrary: fc.constant("$TARGET") },
  {
    weight: 1,
    arbitrary: fc.constantFrom("no-such-tenant", "Bad_Id", "-", "a".repeat(64), "__proto__", "constructor"),
  },
  { weight: 1, arbitrary: hostileString.map(encodeSegment) },
);

/** The tenant's first key is never the one revoked, so the tenant stays reachable. */
const keyId = fc.oneof(
  fc.constantFrom("0000000000000000", "ffffffffffffffff", "__proto__"),
  hostileString.map(encodeSegment),
);

const secretName = fc.oneof(
  fc.constantFrom("HOOK_SECRET", "__proto__", "constructor", "prototype", "A".repeat(200), "lower", "1BAD"),
  hostileString.map(encodeSegment),
);

const adminCall = fc.oneof(
  fc.record({
    route: fc.constant("/admin/tenants"),
    method: fc.constantFrom("POST", "POST", "POST", "POST", "GET", "PUT"),
    body: fc.oneof(
      fc.record(
        { id: fc.oneof(fc.constantFrom("__proto__", "constructor"), hostileString), label: hostileJson },
        { requiredKeys: [] },
      ),
      hostileJson,
    ),
  }),
  fc.record({
    route: fc.constant("/admin/tenants/:id"),
    // no DELETE: it deletes the target (test/worker/tenant-lifecycle-delete.test.ts covers it)
    method: fc.constantFrom("GET", "GET", "GET", "GET", "PUT", "PATCH"),
    body: hostileJson,
  }),
  fc.record({
    route: fc.constant("/admin/tenants/:id/keys"),
    method: fc.constantFrom("POST", "POST", "POST", "POST", "GET"),
    body: fc.oneof(
      fc.record({ label: fc.oneof(hostileString, hostileJson) }, { requiredKeys: [] }),
      hostileJson,
    ),
  }),
  fc.record({
    route: fc.constant("/admin/tenants/:id/keys/:keyId"),
    method: fc.constantFrom("DELETE", "DELETE", "DELETE", "DELETE", "GET"),
    body: hostileJson,
  }),
  fc.record({
    route: fc.constant("/admin/tenants/:id/settings"),
    method: fc.constantFrom("PATCH", "PATCH", "PATCH", "PATCH", "GET", "PUT"),
    body: fc.oneof(
      fc.dictionary(fc.oneof(fc.constantFrom("max_runs", "a.b", "__proto__"), hostileKey), hostileJson, {
        maxKeys: 4,
      }),
      hostileJson,
    ),
  }),
  fc.record({
    route: fc.constantFrom("/admin/tenants/:id/suspend", "/admin/tenants/:id/resume"),
    method: fc.constantFrom("POST", "POST", "POST", "GET", "DELETE"),
    body: fc.oneof(
      fc.record({ reason: fc.oneof(hostileString, hostileJson) }, { requiredKeys: [] }),
      hostileJson,
    ),
  }),
  fc.record({
    route: fc.constant("/admin/tenants/:id/secrets"),
    method: fc.constantFrom("GET", "GET", "GET", "GET", "POST"),
    body: hostileJson,
  }),
  fc.record({
    route: fc.constant("/admin/tenants/:id/secrets/:name"),
    method: fc.constantFrom("PUT", "PUT", "PUT", "DELETE", "DELETE", "GET"),
    body: fc.oneof(
      fc.record({ value: fc.oneof(hostileString, hostileJson) }, { requiredKeys: [] }),
      hostileJson,
    ),
  }),
);

describe("hostile admin calls", () => {
  it(`generated calls on every admin route (${ADMIN_CALLS})`, async () => {
    const call = fc.record({
      call: adminCall,
      id: segment,
      keyId,
      name: secretName,
      auth,
      raw: fc.option(fc.oneof(fc.string({ maxLength: 100 }), fc.uint8Array({ maxLength: 100 })), {
        nil: undefined,
        freq: 8,
      }),
      contentType: fc.option(fc.oneof(fc.constant("text/plain"), hostileHeader), { nil: undefined, freq: 4 }),
    });
    await fc.assert(
      fc.asyncProperty(call, async (c) => {
        const path = c.call.route
          .replace(":id", c.id === "$TARGET" ? target.id : c.id)
          .replace(":keyId", c.keyId)
          .replace(":name", c.name);
        const headers = { "content-type": c.contentType ?? "application/json", ...authorization(c.auth) };
        const body = c.raw ?? JSON.stringify(c.call.body) ?? "";
        await send(`admin ${c.call.route}`, path, c.call.method, headers, body);
      }),
      { numRuns: ADMIN_CALLS },
    );
    // the generated calls may have left the target suspended: the tests after need it active
    expect((await adminFetch(`/admin/tenants/${target.id}/resume`, { method: "POST" })).status).toBe(200);
    harness.expectQuietLog();
    await expectNoStrayObjects();
  });

  it("10 MB bodies, invalid UTF-8, 100k-level nesting, prototype keys", async () => {
    const admin = { authorization: `Bearer ${env.ADMIN_TOKEN}`, "content-type": "application/json" };
    const settings = `/admin/tenants/${target.id}/settings`;
    const big = JSON.stringify({ id: "x".repeat(10 * 1024 * 1024) });
    expect((await send("classic:10MB", "/admin/tenants", "POST", admin, big)).status).toBe(413);
    expect(
      (await send("classic:10MB", "/admin/tenants", "POST", admin, new Blob([big]).stream() as never)).status,
    ).toBe(413);
    for (const bytes of [
      [0xff, 0xfe],
      [0x7b, 0x22, 0x69, 0x64, 0x22, 0x3a, 0x22, 0xc3, 0x28, 0x22, 0x7d],
    ]) {
      await send("classic:utf8", "/admin/tenants", "POST", admin, new Uint8Array(bytes));
      await send("classic:utf8", settings, "PATCH", admin, new Uint8Array(bytes));
    }
    for (const deep of [deepJsonText(100_000), deepObjectText(100_000), deepJsonText(10_000)]) {
      const answer = await send("classic:deep", settings, "PATCH", admin, `{"max_runs":${deep}}`);
      expect(answer.codes).toContain("input.too_deep");
      await send("classic:deep", "/admin/tenants", "POST", admin, deep);
      await send(
        "classic:deep",
        `/admin/tenants/${target.id}/secrets/DEEP`,
        "PUT",
        admin,
        `{"value":${deep}}`,
      );
    }
    for (const body of [
      '{"__proto__":{"polluted":1}}',
      '{"constructor":{"prototype":{"polluted":1}}}',
      '{"max_runs":{"__proto__":{"polluted":1}}}',
      '{"prototype":1,"toString":2,"valueOf":3}',
    ]) {
      await send("classic:proto", settings, "PATCH", admin, body);
      await send("classic:proto", "/admin/tenants", "POST", admin, body);
    }
    for (const name of ["__proto__", "constructor", "prototype", "toString"]) {
      await send(
        "classic:proto",
        `/admin/tenants/${target.id}/secrets/${name}`,
        "PUT",
        admin,
        '{"value":"v"}',
      );
      await send("classic:proto", `/admin/tenants/${target.id}/secrets/${name}`, "DELETE", admin);
      await send("classic:proto", `/admin/tenants/${target.id}/keys/${name}`, "DELETE", admin);
      await send("classic:proto", `/admin/tenants/${name}`, "GET", admin);
    }
    harness.expectPrototypesIntact();
    harness.expectQuietLog();
  });
});

describe("hostile routing", () => {
  it(`generated paths and methods on the whole app (${ROUTING_CALLS})`, async () => {
    const path = fc.oneof(
      fc.constantFrom(
        "/",
        "/healthz",
        "/healthz/",
        "/HEALTHZ",
        "/mcp",
        "/mcp/",
        "/mcp/x",
        "/events",
        "/events/",
        "/hooks",
        "/hooks/",
        "/hooks//",
        `/hooks/x`,
        "/admin",
        "/admin/",
        "/admin/tenants/",
        "/metrics",
        "/../admin/tenants",
        "/%2e%2e/admin",
        "//admin//tenants",
        "/admin/tenants/%00",
        `/${"a/".repeat(2_000)}`,
        `/${"x".repeat(8_000)}`,
      ),
      fc
        .array(hostileString.map(encodeSegment), { minLength: 1, maxLength: 4 })
        .map((parts) => `/${parts.join("/")}`),
    );
    const method = fc.constantFrom(
      "GET",
      "POST",
      "PUT",
      "PATCH",
      "DELETE",
      "HEAD",
      "OPTIONS",
      "TRACE",
      "PROPFIND",
    );
    const headers = fc.dictionary(
      fc.constantFrom(
        "authorization",
        "content-type",
        "accept",
        "origin",
        "access-control-request-method",
        "x-http-method-override",
        "content-encoding",
      ),
      hostileHeader,
      { maxKeys: 3 },
    );
    await fc.assert(
      fc.asyncProperty(path, method, headers, hostileJson, async (p, m, h, body) => {
        const withAuth =
          h.authorization === "tenant" ? { ...h, authorization: `Bearer ${target.apiKey}` } : h;
        await send("routing", p, m, withAuth, JSON.stringify(body) ?? "");
      }),
      { numRuns: ROUTING_CALLS },
    );
    harness.expectQuietLog();
  });

  it("the tenants still work afterwards", async () => {
    const described = await adminFetch(`/admin/tenants/${target.id}`);
    expect(described.status).toBe(200);
    expect((await callTool(bystander.apiKey, "workflow_list")).isError).toBe(false);
    expect((await callTool(target.apiKey, "workflow_list")).isError).toBe(false);
    harness.count("after", 3);
  });
});
