/**
 * Events end to end under a real `wrangler dev`: `edgeflow watch` on a temporary directory posts
 * a file change and a run starts; a signed webhook starts both workflows subscribed to its
 * endpoint; an unsigned one gets 401 and starts none.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signWebhook } from "../../engine/events/index.ts";
import { createTenantClient, type EdgeflowClient, eventually } from "./edgeflow-client.ts";
import { type DevServer, startWranglerDev } from "./wrangler-dev.ts";

const root = join(import.meta.dirname, "..", "..");
const SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

function hooked(name: string): string {
  return `name: "${name}"
description: "Runs on the deploy webhook"
version: "1.0.0"
triggers:
  - type: webhook
    endpoint: "/deploy/main"
    secret: "{{ env.WEBHOOK_SECRET }}"
steps:
  - id: "say"
    type: "user_message"
    message: "${name} got {{ event.payload.ref }}"
`;
}

const ON_CHANGE = `name: "e2e:on-change"
description: "Runs when a TypeScript file changes"
version: "1.0.0"
triggers:
  - type: file_change
    pattern: "**/*.ts"
    filter: "!path.includes('test')"
steps:
  - id: "say"
    type: "user_message"
    message: "{{ event.change }} {{ event.path }}"
`;

interface LoggedEvent {
  event_id: string;
  status: string;
  matches: { workflow: string; outcome: string; workflow_id?: string }[];
}

let server: DevServer;
let client: EdgeflowClient;

beforeAll(async () => {
  server = await startWranglerDev();
  client = await createTenantClient(server.baseUrl, server.adminToken, "e2e-events");
  await client.setSecret("WEBHOOK_SECRET", SECRET);
  for (const yaml of [hooked("e2e:deploy"), hooked("e2e:notify"), ON_CHANGE]) {
    await client.tool("workflow_publish", { yaml });
  }
});

afterAll(async () => {
  await server?.stop();
});

async function events(args: Record<string, unknown>): Promise<LoggedEvent[]> {
  return (await client.tool("workflow_events", { limit: 50, ...args })).events as LoggedEvent[];
}

async function startedRuns(eventId: string): Promise<LoggedEvent["matches"] | undefined> {
  const [event] = await events({ event_id: eventId });
  const matches = event?.matches ?? [];
  return matches.length > 0 && matches.every((match) => match.outcome === "started") ? matches : undefined;
}

describe("events under wrangler dev", () => {
  it("a signed webhook starts both subscribed workflows", async () => {
    const body = JSON.stringify({ ref: "refs/heads/main" });
    const headers = await signWebhook({ scheme: "standard", secret: SECRET, body, now: Date.now() });
    const res = await fetch(`${server.baseUrl}/hooks/e2e-events/deploy/main`, {
      method: "POST",
      headers: { ...headers, "content-type": "application/json" },
      body,
    });
    expect(res.status).toBe(202);
    const answer = (await res.json()) as { event_id: string; runs: string[] };
    expect(answer.runs).toHaveLength(2);
    const matches = await eventually(() => startedRuns(answer.event_id), "both runs to start");
    expect(matches.map((match) => match.workflow).sort()).toEqual(["e2e:deploy", "e2e:notify"]);
    for (const match of matches) {
      const next = await client.tool("workflow_get_next_step", { workflow_id: match.workflow_id });
      expect(JSON.stringify(next)).toContain(`${match.workflow} got refs/heads/main`);
    }
  });

  it("an unsigned webhook gets 401 and starts nothing", async () => {
    const before = (await client.tool("workflow_list_active")).count;
    const res = await fetch(`${server.baseUrl}/hooks/e2e-events/deploy/main`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ ref: "refs/heads/evil" }),
    });
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("webhook.missing_signature");
    const [rejected] = await events({ status: "rejected" });
    expect(rejected?.matches).toEqual([]);
    expect((await client.tool("workflow_list_active")).count).toBe(before);
  });

  it("edgeflow watch: touching a file starts a run", async () => {
    const dir = mkdtempSync(join(tmpdir(), "edgeflow-e2e-watch-"));
    const watch: ChildProcess = spawn(
      process.execPath,
      [
        "--experimental-strip-types",
        "--no-warnings",
        join(root, "cli", "edgeflow.ts"),
        "watch",
        dir,
        "--source",
        "e2e-dir",
        "--debounce",
        "50",
      ],
      {
        env: { ...process.env, EDGEFLOW_URL: server.baseUrl, EDGEFLOW_KEY: client.apiKey },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let out = "";
    watch.stdout?.on("data", (chunk: Buffer) => {
      out += chunk.toString();
    });
    watch.stderr?.on("data", (chunk: Buffer) => {
      out += chunk.toString();
    });
    try {
      await eventually(async () => (out.includes("watching") ? true : undefined), "watch to start");
      writeFileSync(join(dir, "main.ts"), "export const x = 1;\n");
      const event = await eventually(async () => {
        const [latest] = await events({ type: "file_change" });
        return latest?.matches[0]?.outcome === "started" ? latest : undefined;
      }, `a file_change run (watch output: ${out})`);
      const status = await client.tool("workflow_get_next_step", {
        workflow_id: event.matches[0]!.workflow_id,
      });
      expect(JSON.stringify(status)).toContain("created main.ts");
      expect(out).toContain("created main.ts → 1 run");
    } finally {
      const exited = new Promise((resolve) => watch.once("exit", resolve));
      watch.kill("SIGINT");
      await exited;
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
