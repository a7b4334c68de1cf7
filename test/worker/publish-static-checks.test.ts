/**
 * The static checks through the MCP tools, in workerd: `workflow_publish` stores an AroMCP-shaped
 * file whose only problems are warnings (an undeclared name, `loop.iteration` after the loop) and
 * answers them with line:column, plus the secret its webhook needs that the tenant has not set
 * (gone once the secret is set); `workflow_validate` answers the same warnings (it never reaches
 * the TenantDO, so no secret lookup) with `valid: true`; a `while_loop` whose body writes nothing
 * its condition reads is published with a `check.loop_condition_constant` warning (a
 * `workflow_state_update` can land between two work slices, so it is not provably endless).
 */
import { describe, expect, it } from "vitest";
import { adminFetch, callTool, newTenant } from "./support/clients.ts";
import { callToolWithPlugins } from "./support/plugin-tools.ts";

interface Placed {
  code: string;
  line?: number;
  column?: number;
  severity: string;
  message: string;
}

const placed = (diagnostics: unknown) =>
  (diagnostics as Placed[]).map((d) => `${d.line}:${d.column} ${d.severity} ${d.code}`);

const workflow = (version: string) => `name: "standards:check"
description: "lint until clean, then report"
version: "${version}"
default_state:
  state: {all_passed: false}
triggers:
  - type: webhook
    endpoint: /standards
    secret: "{{ env.GH_HOOK_SECRET }}"
steps:
  - id: retry
    type: while_loop
    condition: "{{ !this.all_passed && loop.iteration <= 3 }}"
    body:
      - id: lint
        type: mcp_call
        tool: lint_project
        state_update: {path: this.all_passed, value: "{{ result.ok }}"}
  - id: report
    type: user_message
    message: "{{ all_checks_passed ? 'clean' : 'issues' }} after {{ loop.iteration }} attempts"
`;

const FILE_WARNINGS = ["21:18 warning check.unresolved_name", "21:69 warning check.loop_outside_loop"];

describe("static checks at publish", () => {
  it("publishes with warnings, naming the secret the tenant has not set until it is set", async () => {
    const { id, apiKey } = await newTenant("checks");
    const first = await callTool(apiKey, "workflow_publish", { yaml: workflow("1.0.0") });
    expect(first.isError).toBe(false);
    expect(first.structured).toMatchObject({ workflow: "standards:check", created: true });
    expect(placed(first.structured.warnings)).toEqual([
      "9:14 warning check.missing_secret",
      ...FILE_WARNINGS,
    ]);
    const [secret, name] = first.structured.warnings as Placed[];
    expect(secret?.message).toContain('the webhook trigger "/standards" needs the secret GH_HOOK_SECRET');
    expect(secret?.message).toContain("PUT /admin/tenants/<tenant>/secrets/GH_HOOK_SECRET");
    expect(name?.message).toContain('"all_checks_passed" is declared nowhere');

    const set = await adminFetch(`/admin/tenants/${id}/secrets/GH_HOOK_SECRET`, {
      method: "PUT",
      body: JSON.stringify({ value: "whsec_static_checks" }),
    });
    expect(set.status).toBe(201);
    const second = await callTool(apiKey, "workflow_publish", { yaml: workflow("1.0.1") });
    expect(placed(second.structured.warnings)).toEqual(FILE_WARNINGS);
    expect(JSON.stringify(second.structured)).not.toContain("whsec_static_checks");
  });

  it("names the secret a registered tenant service needs, at the step that uses it", async () => {
    const { id } = await newTenant("checks");
    const registered = await callToolWithPlugins(id, "service_register", {
      name: "api",
      uses: "demo@^2",
      config: { endpoint: "https://tenant.example", auth: { key: "{{ env.API_KEY }}" } },
    });
    expect(registered.isError, registered.text).toBe(false);
    const yaml = `name: "svc:tenant"\ndescription: "x"\nversion: "1.0.0"\nsteps:\n  - {id: shout_hi, type: external_call, service: api, method: shout, params: {text: hi}}\n`;
    const published = await callToolWithPlugins(id, "workflow_publish", { yaml });
    expect(published.isError, published.text).toBe(false);
    expect(placed(published.structured.warnings)).toEqual(["5:50 warning check.missing_secret"]);
    expect((published.structured.warnings as Placed[])[0]?.message).toContain(
      'external_call "shout_hi" uses the tenant service "api", whose config needs the secret API_KEY',
    );
  });

  it("workflow_validate answers the file's warnings with valid: true", async () => {
    const { apiKey } = await newTenant("checks");
    const call = await callTool(apiKey, "workflow_validate", { yaml: workflow("1.0.0") });
    expect(call.structured).toMatchObject({ valid: true, errors: [] });
    expect(placed(call.structured.warnings)).toEqual(FILE_WARNINGS);
  });

  it("publishes a while_loop whose body writes nothing its condition reads, with a warning", async () => {
    const { apiKey } = await newTenant("checks");
    // the loop waits for all_clean, but its body only ever sets all_passed
    const endless = `name: "standards:wait"
description: "x"
version: "1.0.0"
default_state:
  state: {all_clean: false, all_passed: false}
steps:
  - id: wait_clean
    type: while_loop
    condition: "{{ !this.all_clean }}"
    max_iterations: 50
    body:
      - id: mark
        type: set_state
        state_update: {path: this.all_passed, value: true}
`;
    const call = await callTool(apiKey, "workflow_publish", { yaml: endless });
    expect(call.isError, call.text).toBe(false);
    expect(placed(call.structured.warnings)).toEqual(["9:17 warning check.loop_condition_constant"]);
    expect((await callTool(apiKey, "workflow_list")).structured.count).toBe(1);
  });
});
