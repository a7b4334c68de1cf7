/**
 * Publishing a workflow whose expressions do not compile: `workflow_publish` refuses it with every
 * broken expression as a diagnostic (code, path, line:column) and stores nothing;
 * `workflow_validate` reports the same list; a file whose expressions only fail at run time is
 * published as before.
 */
import { describe, expect, it } from "vitest";
import broken from "../fixtures/loader/expressions/broken.yaml?raw";
import everySite from "../fixtures/loader/expressions/every-site.yaml?raw";
import { callTool, newTenant, toolErrorOf } from "./support/clients.ts";
import { callToolWithPlugins } from "./support/plugin-tools.ts";

interface Placed {
  code: string;
  path?: string;
  line?: number;
  column?: number;
  severity: string;
}

const placed = (diagnostics: unknown) =>
  (diagnostics as Placed[]).map((d) => `${d.line}:${d.column} ${d.code} ${d.path} ${d.severity}`);

const EXPECTED = [
  "9:26 expression.syntax state_schema.computed.doubled.transform error",
  "14:23 expression.syntax state_schema.computed.summary.transform error",
  "18:32 expression.syntax steps[0].condition error",
  "24:23 expression.forbidden steps[0].then_steps[0].message error",
  "27:57 expression.syntax steps[1].state_update.value error",
  "30:30 expression.syntax steps[2].condition error",
  "34:24 template.unclosed steps[2].body[0].message error",
  "37:14 expression.syntax steps[3].message error",
  "46:25 expression.syntax triggers[0].filter error",
  "48:23 expression.forbidden dependencies.a[0].condition error",
];

describe("expressions at publish time", () => {
  it("workflow_publish refuses broken expressions with every diagnostic and stores nothing", async () => {
    const { apiKey } = await newTenant("expr");
    const call = await callTool(apiKey, "workflow_publish", { yaml: broken });
    expect(toolErrorOf(call)).toMatchObject({
      code: "workflow.invalid",
      path: "state_schema.computed.doubled.transform",
      line: 9,
      column: 26,
    });
    expect(toolErrorOf(call).message).toContain("The workflow has 10 errors");
    expect(placed(call.structured.errors)).toEqual(EXPECTED);
    expect((await callTool(apiKey, "workflow_list")).structured.count).toBe(0);
    const info = await callTool(apiKey, "workflow_get_info", { workflow: "test:broken-expressions" });
    expect(toolErrorOf(info).code).toBe("workflow.not_found");
    expect((await callTool(apiKey, "workflow_list_subscriptions")).structured.count).toBe(0);
  });

  it("workflow_validate answers the same list without storing anything", async () => {
    const { apiKey } = await newTenant("expr");
    const call = await callTool(apiKey, "workflow_validate", { yaml: broken });
    expect(call.isError).toBe(false);
    expect(call.structured.valid).toBe(false);
    expect(placed(call.structured.errors)).toEqual(EXPECTED);
    expect((await callTool(apiKey, "workflow_list")).structured.count).toBe(0);
  });

  it("publishes a file with an expression in every place, and one whose expressions fail only when run", async () => {
    const { id, apiKey } = await newTenant("expr");
    // its external_call and notify steps name no service: here they are inline ones of test plugins
    const withPlugins = everySite
      .replace("    method: get\n", '    method: get\n    uses: "http@^1"\n')
      .replace("    channel: ops\n", '    channel: ops\n    uses: "chat@^1"\n');
    const valid = await callToolWithPlugins(id, "workflow_validate", { yaml: withPlugins });
    expect(valid.structured).toMatchObject({ valid: true, errors: [] });
    const runTimeOnly = `name: "expr:runtime"\ndescription: "x"\nversion: "1.0.0"\nsteps:\n  - id: m\n    type: user_message\n    message: "{{ missing.name }} {{ (() => { for (;;) {} })() }}"\n`;
    const published = await callTool(apiKey, "workflow_publish", { yaml: runTimeOnly });
    expect(published.structured).toMatchObject({ workflow: "expr:runtime", created: true });
  });
});
