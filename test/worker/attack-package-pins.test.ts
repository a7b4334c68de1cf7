/**
 * Attack on workflow_import's plugin pins: a package's pin replaces the version publish resolved
 * without checking it against the YAML's `uses:` range, so a crafted (unsigned, self-sealed)
 * package runs a plugin major the YAML never asked for, with a config checked against another
 * major's schema. Asserts the secure behaviour: FAILS while the bypass is open.
 */
import { describe, expect, it } from "vitest";
import { sealPackage } from "../../engine/packages/package-checksums.ts";
import { newTenant, toolErrorOf } from "./support/clients.ts";
import { callToolWithPlugins } from "./support/plugin-tools.ts";

const yaml = `name: "atk:pins"
description: "pins"
version: "1.0.0"
services:
  api: { uses: "demo@^1", config: { base_url: "https://example.com" } }
steps:
  - id: hello
    type: user_message
    message: "hi"
`;

describe("attack: package plugin pins outside the YAML's range", () => {
  for (const pinned of ["2.0.0", "2.1.0-beta.1"]) {
    it(`a pin of demo@${pinned} for a service that uses demo@^1 is refused`, async () => {
      const { id } = await newTenant("atkpin");
      const pkg = await sealPackage({
        workflow: "atk:pins",
        versions: [
          {
            version: "1.0.0",
            yaml,
            migrations: [],
            plugins: [{ service: "api", plugin: "demo", version: pinned }],
          },
        ],
      });
      const call = await callToolWithPlugins(id, "workflow_import", { package: pkg });
      if (!call.isError) {
        // what got stored: the YAML says ^1, the stored pin says the package's version
        const exported = await callToolWithPlugins(id, "workflow_export", {
          workflow: "atk:pins",
          format: "package",
        });
        const stored = (exported.structured.package as { versions: { plugins: unknown[] }[] }).versions[0];
        expect.fail(`imported; stored pins ${JSON.stringify(stored?.plugins)}`);
      }
      expect(toolErrorOf(call).code).toMatch(/^package\./);
    });
  }
});
