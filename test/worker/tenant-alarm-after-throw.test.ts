/**
 * The tenant's alarm handler can throw (a storage error, a bug); the runtime retries it a few
 * times and then gives up. The in-memory note of what is armed must not outlive the alarm that
 * fired: otherwise the next start that asks for the alarm "no later than" its retry time believes
 * one is still set, and a pending or deferred start waits for an alarm that never comes.
 */
import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { newTenant } from "./support/clients.ts";
import { HOOK_SECRET, postHook, publish, setSecret, sign } from "./support/events.ts";
import { tenantObject } from "./support/runs.ts";

const ON_HOOK = `name: "alarm:hooked"
description: "One run per signed delivery"
version: "1.0.0"
triggers:
  - type: webhook
    endpoint: "/ping"
    secret: "{{ env.WEBHOOK_SECRET }}"
steps:
  - id: "pong"
    type: "user_message"
    message: "pong"
`;

async function deliver(tenant: string, n: number): Promise<number> {
  const body = JSON.stringify({ n });
  return (await postHook(tenant, "/ping", body, await sign("standard", HOOK_SECRET, body))).status;
}

describe("the tenant alarm after a handler that threw", () => {
  it("is armed again by the next start", async () => {
    const { id, apiKey } = await newTenant("alarm-throw");
    await setSecret(id, "WEBHOOK_SECRET", HOOK_SECRET);
    await publish(apiKey, ON_HOOK);
    expect(await deliver(id, 1)).toBe(202);
    expect(
      await runInDurableObject(tenantObject(id), (_i, state) => state.storage.getAlarm()),
    ).not.toBeNull();

    // the alarm fires (the runtime clears it) and its handler throws before it re-arms
    await runInDurableObject(tenantObject(id), async (instance, state) => {
      await state.storage.deleteAlarm();
      state.storage.sql.exec("ALTER TABLE runs RENAME TO runs_away");
      await expect(instance.alarm()).rejects.toThrow();
      state.storage.sql.exec("ALTER TABLE runs_away RENAME TO runs");
    });

    expect(await deliver(id, 2)).toBe(202);
    expect(
      await runInDurableObject(tenantObject(id), (_i, state) => state.storage.getAlarm()),
    ).not.toBeNull();
  });
});
