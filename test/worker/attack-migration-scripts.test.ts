/**
 * Hostile migration scripts (issue 13): unbounded CPU, a huge result, and a nondeterministic
 * script whose dry run does not predict the applied state. Each asserts the secure behaviour.
 */
import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { callTool, newTenant, toolErrorOf } from "./support/clients.ts";
import { publish } from "./support/events.ts";
import { runObject } from "./support/runs.ts";

const V1 = `name: "atk:mig"
description: "migrate me"
version: "1.0.0"
default_state:
  state:
    count: 1
steps:
  - id: "pick"
    type: "mcp_call"
    tool: "pick_number"
    state_update:
      path: "this.count"
      value: "{{ result.n }}"
  - id: "report"
    type: "user_message"
    message: "report {{ this.count }}"
`;

const withScript = (script: string) =>
  V1.replace('version: "1.0.0"', 'version: "2.0.0"').replace(
    "steps:",
    `migrations:\n  - from: "1.x"\n    to: "2.0.0"\n    script: ${JSON.stringify(script)}\nsteps:`,
  );

async function runRowState(tenant: string, runId: string): Promise<string> {
  return runInDurableObject(
    runObject(tenant, runId),
    (_instance, state) => state.storage.sql.exec<{ state: string }>("SELECT state FROM run").one().state,
  );
}

async function setup(script: string): Promise<{ id: string; apiKey: string; runId: string }> {
  const tenant = await newTenant("atkmig");
  await publish(tenant.apiKey, V1);
  const published = await callTool(tenant.apiKey, "workflow_publish", { yaml: withScript(script) });
  if (published.isError) throw new Error(`publish refused: ${published.text}`);
  const started = await callTool(tenant.apiKey, "workflow_start", { workflow: "atk:mig", version: "1.0.0" });
  if (started.isError) throw new Error(started.text);
  return { ...tenant, runId: started.structured.workflow_id as string };
}

describe("attack: hostile migration scripts", () => {
  it("an endless script is a coded refusal and leaves the run untouched", async () => {
    const { id, apiKey, runId } = await setup("{{ (() => { while (true) {} })() }}");
    const before = await runRowState(id, runId);
    for (const dry_run of [true, false]) {
      const call = await callTool(apiKey, "workflow_migrate", {
        workflow_id: runId,
        to_version: "2.0.0",
        dry_run,
      });
      const text = JSON.stringify(call.structured ?? call.text);
      expect(text).not.toContain("internal.error");
      if (dry_run) expect(call.structured.possible, call.text).toBe(false);
      else expect(toolErrorOf(call).code).toBe("migrate.not_possible");
    }
    expect(await runRowState(id, runId)).toBe(before);
  }, 60_000);

  it("a script whose result is huge is refused (state cap), the run untouched", async () => {
    const { id, apiKey, runId } = await setup('{{ ({ ...state, big: "x".repeat(5000000) }) }}');
    const before = await runRowState(id, runId);
    const call = await callTool(apiKey, "workflow_migrate", {
      workflow_id: runId,
      to_version: "2.0.0",
      dry_run: false,
    });
    expect(call.isError, call.text).toBe(true);
    expect(toolErrorOf(call).code).toBe("migrate.not_possible");
    expect(await runRowState(id, runId)).toBe(before);
  });

  for (const expression of ["Math.random()", "Date.now()", "new Date().toISOString()", "performance.now()"]) {
    it(`the dry run predicts the applied state for a script using ${expression}`, async () => {
      const { apiKey, runId } = await setup(`{{ ({ ...state, token: ${expression} }) }}`);
      const dry = await callTool(apiKey, "workflow_migrate", { workflow_id: runId, to_version: "2.0.0" });
      if (!dry.structured.possible) return; // refused outright: nothing to predict
      await new Promise((resolve) => setTimeout(resolve, 20));
      const applied = await callTool(apiKey, "workflow_migrate", {
        workflow_id: runId,
        to_version: "2.0.0",
        dry_run: false,
      });
      expect(applied.structured.state_changes, applied.text).toEqual(dry.structured.state_changes);
    });
  }
});
