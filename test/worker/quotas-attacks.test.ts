/**
 * Regression test for the quotas attack review (issue 15): a start refused by a quota costs the
 * tenant nothing. Quotas are checked, with no side effect, before `makeRoomForRun` deletes the
 * oldest finished run to stay under `max_stored_runs`; and a start the run itself refuses (its
 * state over `max_state_bytes`) does not use up `max_runs_per_day`.
 */
import { describe, expect, it } from "vitest";
import { callTool, newTenant, toolErrorOf } from "./support/clients.ts";
import { publish } from "./support/events.ts";
import { setSettings, usageOf, usedOf } from "./support/quotas.ts";
import { GREET } from "./support/workflows.ts";

const start = (apiKey: string) =>
  callTool(apiKey, "workflow_start", { workflow: "demo:greet", inputs: { name: "x" } });

describe("a start refused by a quota", () => {
  it("does not delete a finished run to make room first", async () => {
    const t = await newTenant("qatk");
    await publish(t.apiKey, GREET);
    expect((await setSettings(t.id, { max_stored_runs: 1 })).status).toBe(200);
    const first = await start(t.apiKey);
    expect(first.isError).toBe(false);
    const id = (first.structured as { workflow_id: string }).workflow_id;
    const cancelled = await callTool(t.apiKey, "workflow_cancel", { workflow_id: id });
    expect((cancelled.structured as { status: string }).status).toBe("cancelled");

    expect((await setSettings(t.id, { max_active_runs: 0 })).status).toBe(200);
    const refused = await start(t.apiKey);
    expect(toolErrorOf(refused).code).toBe("quota.exceeded");
    expect(usedOf(await usageOf(t.id), "max_stored_runs")).toBe(1);
    const status = await callTool(t.apiKey, "workflow_get_status", { workflow_id: id });
    expect(status.isError).toBe(false);
  });
});

describe("a workflow_start the run refuses", () => {
  it("does not use up max_runs_per_day", async () => {
    const t = await newTenant("qburn");
    await publish(t.apiKey, GREET);
    expect((await setSettings(t.id, { max_state_bytes: 2_048, max_runs_per_day: 2 })).status).toBe(200);
    for (let i = 0; i < 2; i += 1) {
      const big = await callTool(t.apiKey, "workflow_start", {
        workflow: "demo:greet",
        inputs: { name: "x".repeat(3_000) },
      });
      expect(big.isError).toBe(true);
    }
    expect(usedOf(await usageOf(t.id), "max_runs_per_day")).toBe(0);
    expect((await start(t.apiKey)).isError).toBe(false);
  });
});
