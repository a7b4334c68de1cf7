/**
 * The seed's example workflow (test/fixtures/loader/valid/seed-example.yaml) plus a `services:`
 * block for `deployment_api` and a `build_version` in its state, in workerd: its dependency graph runs by itself, the
 * `external_call` reaches the local HTTP target with the bearer secret and its idempotency key,
 * and the real redis-server then holds the run's state under `t/<tenant>/runs/<run id>/state`.
 */
import { describe, expect, it } from "vitest";
import { redisPlugin } from "../../plugins/redis/plugin.ts";
import SEED from "../fixtures/loader/valid/seed-example.yaml?raw";
import { newTenant } from "./support/clients.ts";
import { driveEffects, target, targetLog } from "./support/effects.ts";
import { setSecret } from "./support/events.ts";
import { pluginContext, pluginTargets } from "./support/plugin-context.ts";
import { publishAndStart } from "./support/runs.ts";

function redisUrl(): string {
  const targets = pluginTargets();
  return `redis://:${targets.redisPassword}@127.0.0.1:${targets.redisPort}`;
}

/**
 * The seed's file with what it leaves out: what `deployment_api` is, and a value for the
 * `{{ build_version }}` its call sends (nothing in the file sets it; as written the call fails
 * with `expression.runtime`: 'build_version' is not defined).
 */
function seedWithServices(): string {
  return `${SEED}
default_state:
  state:
    build_version: "2.0.0-rc.1"
services:
  deployment_api:
    uses: "http@^1"
    config:
      base_url: "${target()}/echo"
`;
}

describe("the seed's example workflow", () => {
  it("runs to completion against a local HTTP server and a real redis-server, which holds its state", async () => {
    const tenant = await newTenant("seed");
    await setSecret(tenant.id, "REDIS_URL", redisUrl());
    await setSecret(tenant.id, "API_TOKEN", "seed-token-5e1d");
    await setSecret(tenant.id, "WEBHOOK_SECRET", `whsec_${btoa("seed-webhook-secret-0123")}`);
    const runId = await publishAndStart(tenant.apiKey, seedWithServices());

    const run = await driveEffects(tenant.id, runId);
    expect(run.status, JSON.stringify(run.error)).toBe("completed");
    const deploys = (await targetLog()).filter((entry) => entry.key?.startsWith(`${runId}:`));
    expect(deploys).toEqual([
      expect.objectContaining({
        path: "/echo/deploy",
        key: `${runId}:main:step_1:0`,
        authorization: "Bearer seed-token-5e1d",
        body: { version: "2.0.0-rc.1" },
      }),
    ]);
    expect(JSON.stringify(run)).not.toContain("seed-token-5e1d");

    const stored = await redisPlugin.invoke(
      "get",
      { key: `runs/${runId}/state` },
      pluginContext(redisPlugin, { tenant: tenant.id, config: { url: redisUrl() } }),
    );
    expect(stored).toMatchObject({
      found: true,
      value: {
        version: run.seq,
        value: { run_id: runId, workflow: "advanced:event-driven", status: "completed" },
      },
    });
  });
});
