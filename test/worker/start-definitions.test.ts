/**
 * `workflow_start` takes the workflow's version from a per-TenantDO cache (tenant/start-definitions.ts):
 * a second start of the same workflow reads no rows, and a publish, a yank or a new default is
 * seen by the very next start.
 */
import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { StartDefinitions } from "../../durable-objects/tenant/start-definitions.ts";
import { callTool, newTenant, toolErrorOf } from "./support/clients.ts";
import { tenantObject } from "./support/runs.ts";

const workflow = (version: string) =>
  `name: "cache:wf"\ndescription: "one step"\nversion: "${version}"\nsteps:\n  - id: "a"\n    type: "set_state"\n    state_update:\n      path: "this.v"\n      value: "${version}"\n`;

async function startedVersion(apiKey: string, version?: string): Promise<string> {
  const started = await callTool(apiKey, "workflow_start", {
    workflow: "cache:wf",
    ...(version === undefined ? {} : { version }),
  });
  if (started.isError) return toolErrorOf(started).code;
  const status = await callTool(apiKey, "workflow_get_status", {
    workflow_id: started.structured.workflow_id,
  });
  return String(status.structured.version);
}

describe("start definitions", () => {
  it("a second start of the same version reads no workflow rows", async () => {
    const { id, apiKey } = await newTenant();
    await callTool(apiKey, "workflow_publish", { yaml: workflow("1.0.0") });
    await runInDurableObject(tenantObject(id), (_instance, state) => {
      let statements = 0;
      const sql = new Proxy(state.storage.sql, {
        get(target, property) {
          if (property === "exec")
            return (query: string, ...bindings: SqlStorageValue[]) => {
              statements += 1;
              return target.exec(query, ...bindings);
            };
          return Reflect.get(target, property);
        },
      });
      const cache = new StartDefinitions();
      const first = cache.get(sql, "cache:wf");
      const afterFirst = statements;
      expect(afterFirst).toBeGreaterThan(0);
      expect(cache.get(sql, "cache:wf")).toBe(first);
      expect(statements).toBe(afterFirst);
      const uncached = new StartDefinitions(false);
      uncached.get(sql, "cache:wf");
      uncached.get(sql, "cache:wf");
      expect(uncached.reads).toBe(2);
      cache.invalidate();
      cache.get(sql, "cache:wf");
      expect(cache.reads).toBe(2);
    });
  });

  it("sees a publish, a yank and a new default on the very next start", async () => {
    const { apiKey } = await newTenant();
    await callTool(apiKey, "workflow_publish", { yaml: workflow("1.0.0") });
    expect(await startedVersion(apiKey)).toBe("1.0.0");
    expect(await startedVersion(apiKey, "1.0.0")).toBe("1.0.0");
    await callTool(apiKey, "workflow_publish", { yaml: workflow("1.1.0") });
    expect(await startedVersion(apiKey)).toBe("1.1.0");
    const yanked = await callTool(apiKey, "workflow_yank", { workflow: "cache:wf", version: "1.1.0" });
    expect(yanked.isError).toBe(false);
    expect(await startedVersion(apiKey)).toBe("1.0.0");
    expect(await startedVersion(apiKey, "1.1.0")).toBe("workflow.version_yanked");
    await callTool(apiKey, "workflow_unyank", { workflow: "cache:wf", version: "1.1.0" });
    expect(await startedVersion(apiKey, "1.1.0")).toBe("1.1.0");
    await callTool(apiKey, "workflow_set_default", { workflow: "cache:wf", version: "1.0.0" });
    expect(await startedVersion(apiKey)).toBe("1.0.0");
  });
});
