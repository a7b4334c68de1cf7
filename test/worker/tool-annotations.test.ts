/**
 * Every tool declares its MCP annotations (title, read-only, destructive, idempotent, open world),
 * `tools/list` advertises them, and the README's table of them says the same.
 */
import { describe, expect, it } from "vitest";
import readme from "../../README.md?raw";
import { TOOLS } from "../../worker/mcp/server.ts";
import { mcpRequest, newTenant } from "./support/clients.ts";

const HINTS = ["readOnlyHint", "destructiveHint", "idempotentHint", "openWorldHint"] as const;

/** The README's annotation table: tool name → the four hints as booleans. */
function readmeHints(): Map<string, Record<(typeof HINTS)[number], boolean>> {
  const start = readme.indexOf("### Tool annotations");
  expect(start, "README has a ### Tool annotations section").toBeGreaterThan(0);
  const section = readme.slice(start, readme.indexOf("\n#", start + 1));
  const rows = [...section.matchAll(/^\| `(\w+)` \| (yes|no) \| (yes|no) \| (yes|no) \| (yes|no) \|$/gm)];
  return new Map(
    rows.map(([, name, ...flags]) => [
      name as string,
      Object.fromEntries(HINTS.map((hint, index) => [hint, flags[index] === "yes"])) as Record<
        (typeof HINTS)[number],
        boolean
      >,
    ]),
  );
}

describe("tool annotations", () => {
  it("every tool declares all four hints; a read-only tool is idempotent, not destructive, not open-world", () => {
    for (const tool of TOOLS) {
      for (const hint of HINTS) expect(typeof tool.annotations[hint], `${tool.name}.${hint}`).toBe("boolean");
      expect(tool.title.length, `${tool.name} title`).toBeGreaterThan(0);
      if (tool.annotations.readOnlyHint) {
        expect(tool.annotations, tool.name).toMatchObject({
          destructiveHint: false,
          idempotentHint: true,
          openWorldHint: false,
        });
      }
    }
  });

  it("chooses the hints that tell a host what to confirm", () => {
    const of = (name: string) => TOOLS.find((tool) => tool.name === name)?.annotations;
    expect(of("workflow_get_status")).toMatchObject({ readOnlyHint: true, destructiveHint: false });
    expect(of("workflow_cancel")).toMatchObject({ readOnlyHint: false, destructiveHint: true });
    expect(of("service_delete")).toMatchObject({ readOnlyHint: false, destructiveHint: true });
    expect(of("workflow_start")).toMatchObject({ readOnlyHint: false, idempotentHint: false });
  });

  it("tools/list advertises every tool's title and hints", async () => {
    const tenant = await newTenant("annotations");
    const { status, body } = await mcpRequest(tenant.apiKey, "tools/list");
    expect(status).toBe(200);
    const listed = (body.result as { tools: { name: string; annotations?: Record<string, unknown> }[] })
      .tools;
    expect(listed.map((tool) => tool.name).sort()).toEqual(TOOLS.map((tool) => tool.name).sort());
    for (const tool of TOOLS) {
      const advertised = listed.find((candidate) => candidate.name === tool.name)?.annotations;
      expect(advertised, tool.name).toEqual({ title: tool.title, ...tool.annotations });
    }
  });

  it("the README's annotation table lists every tool with the hints it declares", () => {
    const documented = readmeHints();
    expect([...documented.keys()].sort()).toEqual(TOOLS.map((tool) => tool.name).sort());
    for (const tool of TOOLS) expect(documented.get(tool.name), tool.name).toEqual(tool.annotations);
  });
});
