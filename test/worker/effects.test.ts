/**
 * external_call and notify end to end in workerd: the RunDO records the effect with its checkpoint,
 * its alarm has the TenantDO perform it against a real local HTTP server, and the outcome comes
 * back into the run (store_result, state_update, idempotency keys per loop position, secrets
 * resolved only on the way out, Retry-After, a crash between the call and its record,
 * on_complete, external_state).
 */
import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { tenantStub } from "../../durable-objects/bindings.ts";
import type { EffectIntent } from "../../engine/plugins/effect.ts";
import { callTool, newTenant } from "./support/clients.ts";
import { driveEffects, registerTenantService, target, targetLog } from "./support/effects.ts";
import { setSecret } from "./support/events.ts";
import { inspectRun, publishAndStart, runObject } from "./support/runs.ts";

const DEPLOY = `
name: test:deploy
description: calls a service once per item
version: 1.0.0
default_state:
  state: { items: [alpha, beta], results: [], last: null }
on_complete: { channel: ops, message: "deployed {{ this.results.length }}" }
external_state: { backend: kv }
steps:
  - id: each
    type: foreach
    items: "{{ this.items }}"
    steps:
      - id: deploy
        type: external_call
        service: api
        method: deploy
        params: { item: "{{ loop.item }}" }
        auth: { type: bearer, token: "{{ env.API_TOKEN }}" }
        store_result: this.last
        state_update: { path: this.results, operation: append, value: "{{ result.body.key }}" }
`;

/** The whsec_ signing secret of the `ops` webhook service (any base64 will do). */
const OPS_SECRET = `whsec_${btoa("ops-signing-secret-0123456789")}`;

/**
 * A tenant with the first-party services the workflow names: `api` (http 1.x against the local
 * target) and `ops` (a signed webhook to it), registered the way an agent does.
 */
async function tenantWithServices(base = `${target()}/echo`): Promise<{ id: string; apiKey: string }> {
  const tenant = await newTenant("fx");
  await registerTenantService(tenant.apiKey, "api", "http@^1", { base_url: base });
  await registerTenantService(tenant.apiKey, "ops", "webhook@^1", {
    url: `${target()}/echo/ops`,
    secret: "{{ env.OPS_SECRET }}",
  });
  await setSecret(tenant.id, "API_TOKEN", "tok-3f9a7c1e");
  await setSecret(tenant.id, "OPS_SECRET", OPS_SECRET);
  return tenant;
}

describe("external_call through the RunDO and the TenantDO", () => {
  it("runs each call once per loop position with its key, resolves the secret only on the way out", async () => {
    const tenant = await tenantWithServices();
    const runId = await publishAndStart(tenant.apiKey, DEPLOY);
    const started = await inspectRun(tenant.id, runId);
    // the intent is in the checkpoint and the alarm is armed for it
    expect(started.state.effects).toEqual([
      expect.objectContaining({ idempotencyKey: `${runId}:main:deploy:1` }),
    ]);
    expect(started.alarm).not.toBeNull();
    const status = await callTool(tenant.apiKey, "workflow_get_next_step", { workflow_id: runId });
    expect(status.structured).toMatchObject({ status: "wait" });

    const run = await driveEffects(tenant.id, runId);
    expect(run.status).toBe("completed");
    expect(run.main.state.state.results).toEqual([`${runId}:main:deploy:1`, `${runId}:main:deploy:2`]);
    const log = (await targetLog()).filter((entry) => entry.key?.startsWith(runId));
    const calls = log.filter((entry) => entry.path === "/echo/deploy");
    expect(calls.map((entry) => [entry.key, entry.body])).toEqual([
      [`${runId}:main:deploy:1`, { item: "alpha" }],
      [`${runId}:main:deploy:2`, { item: "beta" }],
    ]);
    // the target received the secret; the run's state (which stored the echo) does not hold it
    expect(calls[0]!.authorization).toBe("Bearer tok-3f9a7c1e");
    const stored = JSON.stringify(run);
    expect(stored).not.toContain("tok-3f9a7c1e");
    expect(stored).toContain("Bearer [redacted]");
    // on_complete went out once, with its own key
    const notes = (await targetLog()).filter(
      (entry) => entry.path === "/echo/ops" && JSON.stringify(entry.body).includes(runId),
    );
    expect(notes).toHaveLength(1);
    expect(notes[0]!.body).toMatchObject({
      type: "edgeflow.notification",
      data: {
        message: "deployed 2",
        details: { run_id: runId, workflow: "test:deploy", status: "completed" },
      },
    });
    expect(run.effects).toBeUndefined();
  });

  it("after a crash between the call and its record, calls again with the same key and applies once", async () => {
    const tenant = await tenantWithServices();
    const runId = await publishAndStart(tenant.apiKey, DEPLOY);
    const { state } = await inspectRun(tenant.id, runId);
    const effect = state.effects![0] as EffectIntent;
    // the call went out (the TenantDO performed it) but its outcome never reached the checkpoint
    const request = { runId, workflow: state.workflow, version: state.version, effect };
    const lost = await tenantStub(env, tenant.id).performEffect(tenant.id, request);
    expect(lost.ok).toBe(true);
    await runInDurableObject(runObject(tenant.id, runId), () => undefined);
    const run = await driveEffects(tenant.id, runId);
    expect(run.status).toBe("completed");
    const first = (await targetLog()).filter((entry) => entry.key === `${runId}:main:deploy:1`);
    expect(first).toHaveLength(2);
    // the run applied the first position's result once
    expect(run.main.state.state.results).toEqual([`${runId}:main:deploy:1`, `${runId}:main:deploy:2`]);
  });

  it("a 503 with Retry-After retries the step no sooner than asked, with the same key", async () => {
    const tenant = await tenantWithServices(`${target()}/flaky/1`);
    const yaml = DEPLOY.replace(
      "store_result: this.last",
      "store_result: this.last\n        error_handling: { strategy: retry, max_retries: 2, retry_delay: 0.1 }",
    ).replace('"{{ result.body.key }}"', '"{{ result.body.count }}"');
    const runId = await publishAndStart(
      tenant.apiKey,
      yaml.replace("items: [alpha, beta]", "items: [alpha]"),
    );
    const waiting = await driveEffects(tenant.id, runId);
    const retry = waiting.timers.find((timer) => timer.kind === "retry");
    expect(retry).toBeDefined();
    // Retry-After: 1 wins over a 0.1 s backoff (the delay the machine chose, as it says it)
    expect(waiting.main.waitingFor).toMatchObject({ kind: "timer", until: retry!.at });
    expect(waiting.main.waitingFor!.message).toMatch(/retry 1 is due in 1s/);
    let run = waiting;
    for (let attempt = 0; attempt < 30 && run.status !== "completed"; attempt += 1) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      run = await driveEffects(tenant.id, runId);
    }
    expect(run.status).toBe("completed");
    const tries = (await targetLog()).filter((entry) => entry.key === `${runId}:main:deploy:1`);
    expect(tries.map((entry) => entry.path)).toEqual(["/flaky/1/deploy", "/flaky/1/deploy"]);
  });

  it("writes the run's state to its external_state backend, newest version only", async () => {
    const tenant = await tenantWithServices();
    const runId = await publishAndStart(tenant.apiKey, DEPLOY);
    const run = await driveEffects(tenant.id, runId);
    expect(run.status).toBe("completed");
    const key = `t/${tenant.id}/runs/${runId}/state`;
    const stored = await env.STATE_KV!.get(key, "json");
    expect(stored).toMatchObject({
      version: run.seq,
      value: {
        run_id: runId,
        workflow: "test:deploy",
        status: "completed",
        state: { state: { results: expect.any(Array) } },
      },
    });
    // an older version arriving late (a retry after a crash) does not replace it
    const older: EffectIntent = {
      id: "old#1",
      kind: "state",
      idempotencyKey: "old",
      threadId: "run",
      stepId: "external_state",
      attempt: 1,
      service: "external_state",
      method: "put_versioned",
      params: { key: `runs/${runId}/state`, version: 1, value: { status: "running" } },
      requestedAt: 0,
    };
    const request = { runId, workflow: run.workflow, version: run.version, effect: older };
    const answer = await tenantStub(env, tenant.id).performEffect(tenant.id, request);
    expect(answer).toMatchObject({
      ok: true,
      value: { ok: true, result: { written: false, version: run.seq } },
    });
    expect(await env.STATE_KV!.get(key, "json")).toMatchObject({ version: run.seq });
  });

  it("a service deleted after publish fails the step with external.no_service", async () => {
    const tenant = await tenantWithServices();
    const yaml = DEPLOY.replace(/^on_complete.*$/m, "").replace(/^external_state.*$/m, "");
    const published = await callTool(tenant.apiKey, "workflow_publish", { yaml });
    expect(published.isError).toBe(false);
    await callTool(tenant.apiKey, "service_delete", { name: "api" });
    const started = await callTool(tenant.apiKey, "workflow_start", { workflow: "test:deploy" });
    const runId = started.structured.workflow_id as string;
    const run = await driveEffects(tenant.id, runId);
    expect(run.status).toBe("failed");
    expect(run.error?.code).toBe("external.no_service");
  });
});
