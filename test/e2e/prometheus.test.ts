/**
 * A real Prometheus scrapes `wrangler dev`'s `GET /metrics` with a tenant's API key (its
 * `authorization` config) after a known workload, and its query API answers the expected counts;
 * `promtool check metrics` finds nothing to say about the scraped text. Skips, saying why, only
 * when the binaries are missing outside CI; in CI (`.ci/run` installs them) it must run.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type PrometheusServer,
  prometheusMissing,
  promtoolCheck,
  startPrometheus,
} from "../support/prometheus.ts";
import { createTenantClient, type EdgeflowClient, eventually } from "./edgeflow-client.ts";
import { type DevServer, startWranglerDev } from "./wrangler-dev.ts";

const PICK = `name: "e2e:metrics"
description: "One tool call"
version: "1.0.0"
steps:
  - id: "pick"
    type: "mcp_call"
    tool: "pick_number"
    parameters:
      max: 10
`;

const missing = prometheusMissing();
if (missing !== undefined && process.env.CI !== undefined)
  throw new Error(`CI must run the Prometheus e2e test: ${missing}`);
if (missing !== undefined) console.warn(`skipping the Prometheus e2e test: ${missing}`);

let server: DevServer;
let client: EdgeflowClient;
let prometheus: PrometheusServer | undefined;

describe.skipIf(missing !== undefined)("Prometheus scrapes /metrics", () => {
  beforeAll(async () => {
    server = await startWranglerDev();
    client = await createTenantClient(server.baseUrl, server.adminToken, "e2e-metrics");
    await client.tool("workflow_publish", { yaml: PICK });
    // the known workload: 3 runs started, 2 completed (one tool call each), 1 cancelled, 2 events
    for (let i = 0; i < 3; i += 1) {
      const { workflow_id: runId } = await client.tool("workflow_start", {
        workflow: "e2e:metrics",
        inputs: {},
      });
      await client.tool("workflow_get_next_step", { workflow_id: runId });
      if (i === 2) await client.tool("workflow_cancel", { workflow_id: runId });
      else
        await client.tool("workflow_step_complete", {
          workflow_id: runId,
          step_id: "pick",
          result: { n: i },
        });
    }
    for (const id of ["m-1", "m-2"]) {
      const res = await fetch(`${server.baseUrl}/events`, {
        method: "POST",
        headers: { authorization: `Bearer ${client.apiKey}`, "content-type": "application/json" },
        body: JSON.stringify({ id, type: "e2e.ping" }),
      });
      expect(res.status).toBe(202);
    }
    prometheus = await startPrometheus({ baseUrl: server.baseUrl, bearer: client.apiKey });
  }, 120_000);

  afterAll(async () => {
    await prometheus?.stop();
    await server?.stop();
  });

  async function scalar(promql: string, expected: number): Promise<number> {
    return eventually(
      async () => {
        const [sample] = await prometheus!.query(promql);
        const value = sample === undefined ? undefined : Number(sample.value[1]);
        return value === expected ? value : undefined;
      },
      `${promql} == ${expected}`,
      30_000,
    );
  }

  it("answers the workload's counts through its query API", async () => {
    const tenant = 'tenant="e2e-metrics"';
    await scalar(`up{job="edgeflow"}`, 1);
    await scalar(`sum(edgeflow_runs_started_total{${tenant},workflow="e2e:metrics"})`, 3);
    await scalar(`sum(edgeflow_runs_finished_total{${tenant},outcome="completed"})`, 2);
    await scalar(`sum(edgeflow_runs_finished_total{${tenant},outcome="cancelled"})`, 1);
    await scalar(`sum(edgeflow_runs_active{${tenant}})`, 0);
    await scalar(`sum(edgeflow_step_duration_seconds_count{${tenant},step_type="mcp_call"})`, 2);
    await scalar(`sum(edgeflow_events_received_total{${tenant},trigger_type="custom"})`, 2);
    expect(prometheus!.output()).not.toMatch(/level=error/);
  }, 60_000);

  it("promtool check metrics finds nothing to complain about", async () => {
    const res = await fetch(`${server.baseUrl}/metrics`, {
      headers: { authorization: `Bearer ${client.apiKey}` },
    });
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toContain("edgeflow_step_duration_seconds_bucket");
    expect(promtoolCheck(text)).toEqual({ status: 0, output: "" });
  });
});
