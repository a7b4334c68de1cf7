/**
 * Attack (session 7, issue 16): a busy tenant's webhook runs are now started by the alarm's drain
 * (durable-objects/tenant/start-deferral.ts), whose safety net after a crash is the re-drive with
 * the pre-minted run id: a start that "finds its run already there" (`run.exists`) is settled as
 * started. That settlement writes no run-index row (run-starter.ts, `#settle(start, {startedAt})`
 * without the RunDO's answer), so a run whose first attempt landed just before the TenantDO lost
 * its memory (eviction, deploy, an alarm retried) exists in its RunDO but not in the tenant's
 * index: `requireRun` answers `run.not_found` for the id the 202 promised, and the run, waiting for
 * a client step, never changes status again to report itself. The crash is simulated by putting
 * the TenantDO back in the state it would have been in: the pending row still there (due now, as a
 * deferred start is), no index row.
 */
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { callTool, newTenant } from "./support/clients.ts";
import { HOOK_SECRET, postHook, publish, setSecret, sign } from "./support/events.ts";
import { tenantObject } from "./support/runs.ts";

const ON_HOOK = `name: "atk:hooked"
description: "One run per signed delivery, waiting for its client step"
version: "1.0.0"
triggers:
  - type: webhook
    endpoint: "/redrive"
    secret: "{{ env.WEBHOOK_SECRET }}"
steps:
  - id: "pong"
    type: "user_message"
    message: "pong"
`;

async function pendingCount(tenant: string): Promise<number> {
  return runInDurableObject(
    tenantObject(tenant),
    (_i, state) => state.storage.sql.exec<{ n: number }>("SELECT count(*) AS n FROM pending_starts").one().n,
  );
}

describe("attack: a re-driven start whose first attempt had landed", () => {
  it("still ends with the run in the tenant's index, reachable by the id the 202 named", async () => {
    const { id, apiKey } = await newTenant("atk-redrive");
    await setSecret(id, "WEBHOOK_SECRET", HOOK_SECRET);
    await publish(apiKey, ON_HOOK);
    const body = JSON.stringify({ n: 1 });
    const answer = await postHook(id, "/redrive", body, await sign("standard", HOOK_SECRET, body));
    expect(answer.status).toBe(202);
    const runId = String(answer.body.runs?.[0]);
    const eventId = String(answer.body.event_id);
    for (let i = 0; i < 50 && (await pendingCount(id)) > 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect((await callTool(apiKey, "workflow_get_next_step", { workflow_id: runId })).isError).toBe(false);

    // the crash: the RunDO holds the run, the TenantDO's commit of the start never happened
    await runInDurableObject(tenantObject(id), async (_i, state) => {
      const now = Date.now();
      state.storage.sql.exec("DELETE FROM runs WHERE id = ?", runId);
      state.storage.sql.exec(
        `INSERT INTO pending_starts (run_id, event_id, position, workflow, version, inputs, attempts, next_attempt_at, depth, chain_root)
         VALUES (?, ?, 0, 'atk:hooked', NULL, '{}', 0, ?, 0, NULL)`,
        runId,
        eventId,
        now,
      );
      await state.storage.setAlarm(now);
    });
    await runDurableObjectAlarm(tenantObject(id));
    expect(await pendingCount(id)).toBe(0);

    const indexed = await runInDurableObject(
      tenantObject(id),
      (_i, state) => state.storage.sql.exec("SELECT id FROM runs WHERE id = ?", runId).toArray().length,
    );
    expect(indexed).toBe(1);
    const next = await callTool(apiKey, "workflow_get_next_step", { workflow_id: runId });
    expect(next.isError, next.text).toBe(false);
  });
});
