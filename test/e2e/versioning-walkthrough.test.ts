/**
 * @module
 * The worked example of docs/versioning.md ("Worked example: v1 to v2"), call for call, against a
 * real `wrangler dev` through the official MCP SDK v1 client, which checks every answer against the
 * tool's output schema (error results included). The fixtures are
 * test/fixtures/versions/example/order-review-v1.yaml and -v2.yaml; what this test asserts is what
 * the docs show. `WALKTHROUGH_LOG=<file>` writes every answer there (to copy into the docs).
 */
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CommandIo } from "../../cli/commands/command-io.ts";
import { validateCommand } from "../../cli/commands/validate.ts";
import { createTenantClient } from "./edgeflow-client.ts";
import { type DevServer, startWranglerDev } from "./wrangler-dev.ts";

const FIXTURES = join(import.meta.dirname, "..", "fixtures", "versions", "example");
const V1_FILE = join(FIXTURES, "order-review-v1.yaml");
const V2_FILE = join(FIXTURES, "order-review-v2.yaml");
const V1 = readFileSync(V1_FILE, "utf8");
const V2 = readFileSync(V2_FILE, "utf8");
/**
 * v2's text as 1.1.0 without its `breaking_changes` declaration (its migration leading to 1.1.0: a
 * `to` above the file's own version does not load): the release publish refuses
 */
const V1_1 = V2.replace('version: "2.0.0"', 'version: "1.1.0"')
  .replace('to: "2.0.0"', 'to: "1.1.0"')
  .replace(/breaking_changes:\n( {2}- .*\n)+/, "");
const WORKFLOW = "code:review-changes";
const FILES = ["src/a.ts", "src/b.ts"];

interface Answer {
  isError: boolean;
  structured: Record<string, unknown>;
}

let server: DevServer;
const clients: Client[] = [];
let callAs: (client: Client) => (tool: string, args?: Record<string, unknown>) => Promise<Answer>;
let call: (tool: string, args?: Record<string, unknown>) => Promise<Answer>;
let callOther: (tool: string, args?: Record<string, unknown>) => Promise<Answer>;

async function connect(apiKey: string): Promise<Client> {
  const client = new Client({ name: "edgeflow-versioning-walkthrough", version: "1.0.0" });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(`${server.baseUrl}/mcp`), {
      requestInit: { headers: { authorization: `Bearer ${apiKey}` } },
    }),
  );
  // listing the tools is when the v1 client learns the output schemas it validates answers with
  await client.listTools();
  clients.push(client);
  return client;
}

/** The structured answer, or the error object a tool error carries as JSON text. */
async function answerOf(client: Client, tool: string, args: Record<string, unknown>): Promise<Answer> {
  const result = await client.callTool({ name: tool, arguments: args });
  const log = process.env.WALKTHROUGH_LOG;
  if (result.isError === true) {
    const content = result.content as { type: string; text?: string }[];
    const structured = JSON.parse(content.map((part) => part.text ?? "").join("")) as Record<string, unknown>;
    if (log)
      appendFileSync(log, `${tool} ${JSON.stringify(args)}\n=> ERROR ${JSON.stringify(structured)}\n\n`);
    return { isError: true, structured };
  }
  const structured = result.structuredContent as Record<string, unknown>;
  if (log) appendFileSync(log, `${tool} ${JSON.stringify(args)}\n=> ${JSON.stringify(structured)}\n\n`);
  return { isError: false, structured };
}

/** answers (compact JSON) the docs must show verbatim, checked by the last test */
const shownInDocs: string[] = [];
function shown(value: unknown): void {
  shownInDocs.push(JSON.stringify(value));
}

function ok(answer: Answer): Record<string, unknown> {
  if (answer.isError) throw new Error(`expected a result, got ${JSON.stringify(answer.structured)}`);
  return answer.structured;
}

function errorOf(answer: Answer): { code: string; message: string; path?: string } {
  if (!answer.isError) throw new Error(`expected an error, got ${JSON.stringify(answer.structured)}`);
  return answer.structured.error as { code: string; message: string; path?: string };
}

beforeAll(async () => {
  server = await startWranglerDev();
  const team = await createTenantClient(server.baseUrl, server.adminToken, "e2e-versions-team");
  const other = await createTenantClient(server.baseUrl, server.adminToken, "e2e-versions-other");
  callAs =
    (client) =>
    (tool, args = {}) =>
      answerOf(client, tool, args);
  call = callAs(await connect(team.apiKey));
  callOther = callAs(await connect(other.apiKey));
});

afterAll(async () => {
  for (const client of clients) await client.close();
  await server?.stop();
});

describe("docs/versioning.md, worked example: code:review-changes from 1.0.0 to 2.0.0", () => {
  const runs: string[] = [];

  it("publishes 1.0.0 and starts three runs; the first waits at `review`", async () => {
    const published = ok(await call("workflow_publish", { yaml: V1 }));
    expect(published).toMatchObject({ workflow: WORKFLOW, version: "1.0.0" });
    shown(published);
    expect(published.compatibility).toBeUndefined();
    for (let i = 0; i < 3; i++) {
      const started = ok(await call("workflow_start", { workflow: WORKFLOW, inputs: { files: FILES } }));
      expect(started.version).toBe("1.0.0");
      runs.push(started.workflow_id as string);
    }
    const next = ok(await call("workflow_get_next_step", { workflow_id: runs[0] }));
    const handed = (next.steps as { id: string }[]).map((step) => step.id);
    expect(handed).toEqual(["announce", "review"]);
    // the agent notes a first pass in v1's field, so the rename below carries a value
    ok(
      await call("workflow_state_update", {
        workflow_id: runs[0],
        updates: [{ path: "this.counter", value: 1 }],
      }),
    );
  });

  it("refuses 1.1.0 with the breaking change, lists it, and stores nothing", async () => {
    const refused = errorOf(await call("workflow_publish", { yaml: V1_1 }));
    expect(refused.code).toBe("publish.breaking_change");
    expect(refused.message).toContain("input_removed inputs.reviewer");
    expect(refused.message).toContain("state_removed state.counter");
    const info = ok(await call("workflow_get_info", { workflow: WORKFLOW }));
    expect(info).toMatchObject({ version: "1.0.0", versions: ["1.0.0"] });
    const checked = ok(await call("workflow_validate", { yaml: V1_1 }));
    expect(checked).toMatchObject({ valid: false, version: "1.1.0", compatibility: { against: "1.0.0" } });
    expect((checked.errors as { code: string }[]).map((error) => error.code)).toEqual([
      "publish.breaking_change",
    ]);
  });

  it("publishes 2.0.0 (a major, declared) with the compatibility list", async () => {
    const published = ok(await call("workflow_publish", { yaml: V2 }));
    expect(published.version).toBe("2.0.0");
    const compatibility = published.compatibility as {
      against: string;
      changes: { kind: string; path: string; breaking: boolean }[];
    };
    expect(compatibility.against).toBe("1.0.0");
    for (const change of compatibility.changes) shown(change);
    expect(compatibility.changes.map(({ kind, path, breaking }) => [kind, path, breaking])).toEqual([
      ["input_removed", "inputs.reviewer", true],
      ["state_removed", "state.counter", true],
      ["step_added", "steps.lint", false],
    ]);
  });

  it("rolls the default back to 1.0.0 in one call and forward again", async () => {
    const back = ok(await call("workflow_set_default", { workflow: WORKFLOW, version: "1.0.0" }));
    expect(back).toMatchObject({ default_version: "1.0.0", changed: true });
    shown(back);
    const started = ok(await call("workflow_start", { workflow: WORKFLOW, inputs: { files: FILES } }));
    expect(started.version).toBe("1.0.0");
    runs.push(started.workflow_id as string);
    const forward = ok(await call("workflow_set_default", { workflow: WORKFLOW, version: "latest" }));
    expect(forward).toMatchObject({ default_version: "2.0.0", changed: true });
    shown(forward);
    const onV2 = ok(await call("workflow_start", { workflow: WORKFLOW, inputs: { files: FILES } }));
    expect(onV2.version).toBe("2.0.0");
  });

  it("dry-runs, applies and rolls back the migration of the waiting run", async () => {
    const [waiting] = runs;
    const before = ok(await call("workflow_state_read", { workflow_id: waiting }));
    const plan = ok(await call("workflow_migrate", { workflow_id: waiting, to_version: "2.0.0" }));
    expect(plan).toMatchObject({ dry_run: true, migrated: false, possible: true, problems: [] });
    shown(plan.positions);
    shown(plan.migrations);
    shown(plan.warnings);
    for (const change of plan.state_changes as unknown[]) shown(change);
    expect(plan.positions).toEqual([
      {
        thread_id: "main",
        from_step_id: "review",
        step_id: "review",
        list: ["steps"],
        pending: ["announce", "review"],
      },
    ]);
    expect(plan.state_changes).toEqual([
      { path: "inputs.reviewer", before: "bot" },
      { path: "state.counter", before: 1 },
      { path: "state.notes", before: [], after: ["migrated from 1.0.0"] },
      { path: "state.passes", after: 1 },
    ]);
    expect(plan.migrations).toEqual([
      {
        index: 0,
        from: "^1.0.0",
        to: "2.0.0",
        applied_to: "1.0.0",
        description: "counter is now passes",
        operations: 1,
        script: true,
      },
    ]);
    const statusBefore = ok(await call("workflow_get_status", { workflow_id: waiting }));
    expect(statusBefore.version).toBe("1.0.0");

    const applied = ok(
      await call("workflow_migrate", { workflow_id: waiting, to_version: "2.0.0", dry_run: false }),
    );
    expect(applied).toMatchObject({ migrated: true, state_changes: plan.state_changes });
    expect(ok(await call("workflow_get_status", { workflow_id: waiting })).version).toBe("2.0.0");

    const restored = ok(await call("workflow_migrate_rollback", { workflow_id: waiting }));
    expect(restored).toMatchObject({ restored_version: "1.0.0" });
    expect(ok(await call("workflow_state_read", { workflow_id: waiting }))).toEqual(before);
    // version, state, pending steps and updated_at: all as before the migration
    expect(ok(await call("workflow_get_status", { workflow_id: waiting }))).toEqual(statusBefore);
  });

  it("moves every run of 1.0.0 with workflow_migrate_runs, dry run first", async () => {
    const dry = ok(
      await call("workflow_migrate_runs", { workflow: WORKFLOW, from_version: "1.0.0", to_version: "2.0.0" }),
    );
    expect(dry.totals).toEqual({ visited: 4, would_migrate: 4, migrated: 0, refused: 0 });
    shown(dry.totals);
    const applied = ok(
      await call("workflow_migrate_runs", {
        workflow: WORKFLOW,
        from_version: "1.0.0",
        to_version: "2.0.0",
        dry_run: false,
      }),
    );
    expect(applied.totals).toEqual({ visited: 4, would_migrate: 0, migrated: 4, refused: 0 });
    shown(applied.totals);
    const active = ok(await call("workflow_list_active"));
    const versions = (active.workflows as { workflow_id: string; version: string }[])
      .filter((run) => runs.includes(run.workflow_id))
      .map((run) => run.version);
    expect(versions).toEqual(["2.0.0", "2.0.0", "2.0.0", "2.0.0"]);
    expect(
      ok(
        await call("workflow_migrate_runs", {
          workflow: WORKFLOW,
          from_version: "1.0.0",
          to_version: "2.0.0",
        }),
      ).totals,
    ).toEqual({ visited: 0, would_migrate: 0, migrated: 0, refused: 0 });
  });

  it("continues the waiting run on 2.0.0: `review` again, then v2's `report`", async () => {
    const [waiting] = runs;
    const next = ok(await call("workflow_get_next_step", { workflow_id: waiting }));
    expect((next.steps as { id: string }[]).map((step) => step.id)).toEqual(["review"]);
    // it has taken a step on 2.0.0 (`announce` counted as shown): the saved copy is out of date
    expect(errorOf(await call("workflow_migrate_rollback", { workflow_id: waiting })).code).toBe(
      "migrate.run_moved",
    );
    ok(
      await call("workflow_step_complete", {
        workflow_id: waiting,
        step_id: "review",
        result: { passes: 2 },
      }),
    );
    const report = ok(await call("workflow_get_next_step", { workflow_id: waiting }));
    expect(report.steps).toEqual([
      expect.objectContaining({ id: "report", definition: { message: "Reviewed in 2 passes" } }),
    ]);
    const status = ok(await call("workflow_get_status", { workflow_id: waiting }));
    expect(status).toMatchObject({
      version: "2.0.0",
      state: { state: { passes: 2, notes: ["migrated from 1.0.0"] } },
    });
  });

  it("exports the package and imports it into another tenant", async () => {
    const exported = ok(await call("workflow_export", { workflow: WORKFLOW, format: "package" }));
    const pkg = exported.package as { versions: { version: string }[] };
    expect(pkg.versions.map((entry) => entry.version)).toEqual(["1.0.0", "2.0.0"]);
    const imported = ok(await callOther("workflow_import", { package: pkg }));
    shown(imported);
    expect(imported.versions).toEqual([
      { version: "1.0.0", created: true },
      { version: "2.0.0", created: true },
    ]);
    const again = ok(await callOther("workflow_export", { workflow: WORKFLOW, format: "package" }));
    expect(again.package).toEqual(pkg);
  });

  it("`edgeflow validate v2 --against v1` shows the same differences; the undeclared 1.1.0 fails", async () => {
    const capture = () => {
      const lines: string[] = [];
      const io: CommandIo = { out: (line) => lines.push(line), err: (line) => lines.push(line) };
      return { lines, io };
    };
    const accepted = capture();
    expect(await validateCommand([V2_FILE, "--against", V1_FILE], accepted.io)).toBe(0);
    expect(accepted.lines.map((line) => line.replace(`${V2_FILE}: `, ""))).toEqual([
      `3 difference(s) against ${WORKFLOW} 1.0.0 (${V1_FILE})`,
      'breaking input_removed inputs.reviewer input "reviewer" was removed: callers and triggers that give it are refused',
      'breaking state_removed state.counter state field "counter" was removed: runs in flight hold it and steps of the previous version read it',
      'compatible step_added steps.lint new step "lint" in steps',
      "1 file(s) checked: 0 error(s), 0 warning(s)",
    ]);
    const dir = mkdtempSync(join(tmpdir(), "edgeflow-walkthrough-"));
    try {
      const minor = join(dir, "order-review-v1.1.yaml");
      writeFileSync(minor, V1_1);
      const refused = capture();
      expect(await validateCommand([minor, "--against", V1_FILE], refused.io)).toBe(1);
      expect(refused.lines.join("\n")).toContain(
        "publish.breaking_change Version 1.1.0 has 2 breaking changes",
      );
      if (process.env.WALKTHROUGH_LOG)
        appendFileSync(process.env.WALKTHROUGH_LOG, `${[...accepted.lines, ...refused.lines].join("\n")}\n`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("docs/versioning.md shows these answers verbatim", () => {
    const docs = readFileSync(join(import.meta.dirname, "..", "..", "docs", "versioning.md"), "utf8");
    const section = docs.slice(docs.indexOf("## Worked example: v1 to v2"));
    expect(section.startsWith("## Worked example: v1 to v2")).toBe(true);
    expect(shownInDocs.length).toBeGreaterThan(10);
    for (const answer of shownInDocs) expect(section).toContain(answer);
  });
});
