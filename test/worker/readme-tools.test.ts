/** The README's tool table lists exactly the tools the server registers: docs cannot drift from code. */
import { describe, expect, it } from "vitest";
import readme from "../../README.md?raw";
import { TOOLS } from "../../worker/mcp/server.ts";

describe("README", () => {
  it("has one row per registered MCP tool in its tool table, and no other", () => {
    const section = readme.slice(
      readme.indexOf("## Tools"),
      readme.indexOf("\n#", readme.indexOf("## Tools") + 1),
    );
    const listed = [...section.matchAll(/^\| `(\w+)` \|/gm)].map((match) => match[1]);
    expect(listed.sort()).toEqual(TOOLS.map((tool) => tool.name).sort());
  });
});
