/**
 * Rate-limit counts live in the tenant's SQLite, not only in memory: an eviction of the TenantDO
 * in the middle of a window keeps what was spent, for posted events and for the runs events may
 * start per minute (`max_event_runs_per_minute`, an in-memory window before).
 */
import { evictDurableObject } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import { newTenant } from "./support/clients.ts";
import { eventLog, postEvent, publish } from "./support/events.ts";
import { freezeInWindow, setSettings } from "./support/rate-limits.ts";
import { tenantObject } from "./support/runs.ts";

const ON_RUN_EVENT = `name: "limits:on-event"
description: "One run per custom.run event"
version: "1.0.0"
triggers:
  - type: event
    event_type: "custom.run"
steps:
  - id: "say"
    type: "user_message"
    message: "started"
`;

afterEach(() => {
  vi.useRealTimers();
});

describe("rate limits across an eviction", () => {
  it("posted events: the window's count is kept", async () => {
    const tenant = await newTenant("rl-durable");
    await setSettings(tenant.id, { rate_limit_events_per_minute: 3 });
    freezeInWindow(1);
    for (let i = 0; i < 3; i += 1)
      expect((await postEvent(tenant.apiKey, { type: "custom.a" })).status).toBe(202);
    await evictDurableObject(tenantObject(tenant.id));
    const after = await postEvent(tenant.apiKey, { type: "custom.a" });
    expect(after.status).toBe(429);
    expect(after.headers.get("ratelimit")).toBe('"events";r=0;t=59');
  });

  it("runs started by events: the window's count is kept", async () => {
    const tenant = await newTenant("rl-runs");
    await publish(tenant.apiKey, ON_RUN_EVENT);
    await setSettings(tenant.id, { max_event_runs_per_minute: 2 });
    freezeInWindow(1);
    for (const id of ["r1", "r2"]) await postEvent(tenant.apiKey, { id, type: "custom.run" });
    await evictDurableObject(tenantObject(tenant.id));
    const after = await postEvent(tenant.apiKey, { id: "r3", type: "custom.run" });
    expect(after.status).toBe(202);
    expect(after.body.runs).toEqual([]);
    const outcomes = Object.fromEntries(
      (await eventLog(tenant.apiKey)).map((event) => [event.event_id, event.matches[0]?.outcome]),
    );
    expect(outcomes.r3).toBe("rate_limited");
    expect(outcomes.r1).not.toBe("rate_limited");
    expect(outcomes.r2).not.toBe("rate_limited");
  });
});
