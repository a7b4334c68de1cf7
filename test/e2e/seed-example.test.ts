/**
 * The seed's example workflow end to end under a real `wrangler dev` (issue 11, "What it must
 * show"): the file as written (test/fixtures/loader/valid/seed-example.yaml) plus a `services:`
 * block for `deployment_api` (`http@^1`, base_url a local Node HTTP server) and a `build_version`
 * in its default state (the file never sets the one its call sends), its `external_state`
 * on a real redis-server (`url: "{{ env.REDIS_URL }}"`), published and driven to completion with
 * the official MCP SDK client. The target then holds the deploy call with its Idempotency-Key and
 * the bearer token of the tenant secret API_TOKEN, and Redis the run's final state under
 * `t/<tenant>/runs/<run id>/state`. A second `wrangler dev` without EDGEFLOW_ALLOW_PRIVATE_EGRESS
 * refuses the same call to 127.0.0.1 (`external.egress_refused`) and the target sees nothing.
 */
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHttpTarget } from "../support/plugin-targets/http-target.ts";
import {
  type RedisTarget,
  startRedisTarget,
  stopRedisTarget,
} from "../support/plugin-targets/redis-target.ts";
import { createTenantClient, eventually } from "./edgeflow-client.ts";
import { type DevServer, startWranglerDev } from "./wrangler-dev.ts";

const run = promisify(execFile);
const SEED = readFileSync(
  join(import.meta.dirname, "..", "fixtures", "loader", "valid", "seed-example.yaml"),
  "utf8",
);
const API_TOKEN = "e2e-deploy-token-7c41";
const BUILD_VERSION = "2.0.0-rc.1";
const WEBHOOK_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

interface Delivery {
  headers: Record<string, string | undefined>;
  body: string;
}

type Structured = Record<string, unknown>;

/**
 * The seed's file with the two things it leaves out: what `deployment_api` is, and the
 * `build_version` its call sends (nothing in the file sets it; as written the call fails with
 * `expression.runtime`: 'build_version' is not defined). Undeclared inputs are refused at start,
 * so it comes as default state.
 */
function seedWithServices(baseUrl: string): string {
  return `${SEED}
default_state:
  state:
    build_version: "${BUILD_VERSION}"
services:
  deployment_api:
    uses: "http@^1"
    config:
      base_url: "${baseUrl}"
`;
}

let target: Awaited<ReturnType<typeof startHttpTarget>>;
let targetUrl: string;
let redis: RedisTarget;

beforeAll(async () => {
  target = await startHttpTarget();
  targetUrl = `http://127.0.0.1:${target.port}`;
  redis = await startRedisTarget();
});

afterAll(async () => {
  if (target !== undefined) await new Promise<void>((resolve) => target.server.close(() => resolve()));
  if (redis !== undefined) await stopRedisTarget(redis);
});

/** What the HTTP target remembered in box `box` (its `POST /record/<box>` route). */
async function deliveries(box: string): Promise<Delivery[]> {
  return (await (await fetch(`${targetUrl}/deliveries/${box}`)).json()) as Delivery[];
}

async function connect(server: DevServer, apiKey: string): Promise<Client> {
  const client = new Client({ name: "edgeflow-e2e-seed", version: "1.0.0" });
  const transport = new StreamableHTTPClientTransport(new URL(`${server.baseUrl}/mcp`), {
    requestInit: { headers: { authorization: `Bearer ${apiKey}` } },
  });
  await client.connect(transport);
  return client;
}

async function call(client: Client, name: string, args: Structured): Promise<Structured> {
  const result = await client.callTool({ name, arguments: args });
  if (result.isError) throw new Error(`${name} failed: ${JSON.stringify(result.content)}`);
  return result.structuredContent as Structured;
}

/**
 * Drives a run as an agent would: takes every step handed out (a dependency_flow task's client
 * steps included, with their task_id) and completes it; on `wait` asks again shortly. Answers
 * the final `workflow_get_next_step` (completed or failed).
 */
async function drive(client: Client, workflowId: string): Promise<Structured> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const next = await call(client, "workflow_get_next_step", { workflow_id: workflowId });
    if (next.status === "completed" || next.status === "failed" || next.status === "cancelled") return next;
    if (next.status === "steps") {
      for (const step of next.steps as { id: string; type: string; task_id?: string; claim?: number }[]) {
        if (step.type === "user_message") continue;
        await call(client, "workflow_step_complete", {
          workflow_id: workflowId,
          step_id: step.id,
          ...(step.task_id === undefined ? {} : { task_id: step.task_id, claim: step.claim }),
          result: { ok: true },
        });
      }
      continue;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`run ${workflowId} did not end within 60 s`);
}

/** `GET <key>` on the test's redis-server with redis-cli (the default user's password). */
async function redisGet(key: string): Promise<string> {
  const { stdout } = await run("redis-cli", [
    "-h",
    "127.0.0.1",
    "-p",
    String(redis.port),
    "-a",
    redis.password,
    "--no-auth-warning",
    "--raw",
    "GET",
    key,
  ]);
  return stdout.trim();
}

describe("the seed's example workflow under wrangler dev", () => {
  const tenant = "e2e-seed";
  let server: DevServer;

  beforeAll(async () => {
    server = await startWranglerDev({ vars: { EDGEFLOW_ALLOW_PRIVATE_EGRESS: "1" } });
  });

  afterAll(async () => {
    await server?.stop();
  });

  it("runs to completion: the target gets the deploy call, Redis holds the final state", async () => {
    const admin = await createTenantClient(server.baseUrl, server.adminToken, tenant);
    await admin.setSecret("API_TOKEN", API_TOKEN);
    await admin.setSecret("REDIS_URL", `redis://:${redis.password}@127.0.0.1:${redis.port}`);
    await admin.setSecret("WEBHOOK_SECRET", WEBHOOK_SECRET);
    const client = await connect(server, admin.apiKey);
    try {
      const published = await call(client, "workflow_publish", {
        yaml: seedWithServices(`${targetUrl}/record`),
      });
      expect(published).toMatchObject({ workflow: "advanced:event-driven" });
      const started = await call(client, "workflow_start", { workflow: "advanced:event-driven" });
      const runId = started.workflow_id as string;

      const last = await drive(client, runId);
      expect(last.status, JSON.stringify(last)).toBe("completed");
      const status = await call(client, "workflow_get_status", { workflow_id: runId });
      expect(status.status).toBe("completed");
      // its graph ran by itself: milestones only; no config.deep_check, so analyze succeeds and the rest skip
      expect(status.graph).toMatchObject({
        status: "finished",
        total: 4,
        counts: { success: 1, skipped: 3, failed: 0 },
      });
      expect(JSON.stringify(status)).not.toContain(API_TOKEN);

      // `deploy` is POSTed to <base_url>/deploy: the target's box "deploy"
      const calls = await deliveries("deploy");
      expect(calls).toHaveLength(1);
      expect(calls[0]!.headers["idempotency-key"]).toBe(`${runId}:main:step_1:0`);
      expect(calls[0]!.headers.authorization).toBe(`Bearer ${API_TOKEN}`);
      expect(JSON.parse(calls[0]!.body)).toEqual({ version: BUILD_VERSION });

      // the external_state write follows the last checkpoint (from the RunDO's alarm)
      const key = `t/${tenant}/runs/${runId}/state`;
      const stored = await eventually(async () => {
        const text = await redisGet(key);
        if (text === "") return undefined;
        const document = JSON.parse(text) as { version: number; value: { status: string } };
        return document.value.status === "completed" ? document : undefined;
      }, `the completed state in Redis under ${key}`);
      expect(stored).toMatchObject({
        version: expect.any(Number),
        value: {
          run_id: runId,
          workflow: "advanced:event-driven",
          status: "completed",
          state: status.state,
        },
      });
      expect(JSON.stringify(stored)).not.toContain(API_TOKEN);
      expect(JSON.stringify(stored)).not.toContain(redis.password);
      // the seed's ttl (86400 s) is the key's expiry
      const { stdout: ttl } = await run("redis-cli", [
        "-p",
        String(redis.port),
        "-a",
        redis.password,
        "--no-auth-warning",
        "TTL",
        key,
      ]);
      expect(Number(ttl.trim())).toBeGreaterThan(86_000);
      expect(Number(ttl.trim())).toBeLessThanOrEqual(86_400);
    } finally {
      await client.close();
    }
  });
});

describe("without EDGEFLOW_ALLOW_PRIVATE_EGRESS", () => {
  const tenant = "e2e-egress";
  let server: DevServer;

  beforeAll(async () => {
    server = await startWranglerDev();
  });

  afterAll(async () => {
    await server?.stop();
  });

  it("refuses the call to 127.0.0.1: the run fails with external.egress_refused, the target sees nothing", async () => {
    const admin = await createTenantClient(server.baseUrl, server.adminToken, tenant);
    const client = await connect(server, admin.apiKey);
    try {
      await call(client, "workflow_publish", {
        yaml: `name: "e2e:private-egress"
description: "One call to a loopback target"
version: "1.0.0"
services:
  local_api:
    uses: "http@^1"
    config:
      base_url: "${targetUrl}/record"
steps:
  - id: "call"
    type: "external_call"
    service: "local_api"
    method: "refused"
    params: {}
`,
      });
      const started = await call(client, "workflow_start", { workflow: "e2e:private-egress" });
      const last = await drive(client, started.workflow_id as string);
      expect(last.status).toBe("failed");
      expect(JSON.stringify(last.error)).toContain("external.egress_refused");
      expect(await deliveries("refused")).toEqual([]);
    } finally {
      await client.close();
    }
  });
});
