/**
 * Odd inputs to the issue-13 tools: every one answers a coded error or a result, never
 * internal.error.
 */
import { describe, expect, it } from "vitest";
import { sealPackage } from "../../engine/packages/package-checksums.ts";
import { callTool, newTenant } from "./support/clients.ts";
import { publish } from "./support/events.ts";

const yaml = (version: string) => `name: "atk:odd"
description: "odd"
version: "${version}"
steps:
  - id: hello
    type: user_message
    message: "hi"
`;

describe("attack: odd inputs to release tools", () => {
  it("never answers internal.error", async () => {
    const { apiKey } = await newTenant("atkodd");
    await publish(apiKey, yaml("1.0.0"));
    const sealed = await sealPackage({
      workflow: "atk:odd",
      versions: [{ version: "1.0.0", yaml: yaml("1.0.0"), migrations: [], plugins: [] }],
    });
    const calls: [string, Record<string, unknown>][] = [
      ["workflow_set_default", { workflow: "atk:odd", version: "latest" }],
      ["workflow_set_default", { workflow: "nope", version: "latest" }],
      ["workflow_set_default", { workflow: "atk:odd", version: "9.9.9" }],
      ["workflow_yank", { workflow: "atk:odd", version: "1.0.0" }],
      ["workflow_unyank", { workflow: "atk:odd", version: "1.0.0" }],
      ["workflow_export", { workflow: "nope", format: "package" }],
      ["workflow_export", { workflow: "atk:odd", format: "json", version: "not-semver" }],
      ["workflow_migrate_runs", { workflow: "atk:odd", from_version: "0.0.1", to_version: "1.0.0" }],
      ["workflow_migrate_runs", { workflow: "atk:odd", from_version: "1.0.0", to_version: "1.0.0" }],
      [
        "workflow_migrate_runs",
        { workflow: "atk:odd", from_version: "1.0.0", to_version: "1.0.0-0", cursor: "\u0000" },
      ],
      ["workflow_migrate_rollback", { workflow_id: "wf_000000000000000000000000" }],
      ["workflow_import", { package: {} }],
      [
        "workflow_import",
        { package: { ...sealed, versions: [{ ...sealed.versions[0], version: "01.0.0" }] } },
      ],
      [
        "workflow_import",
        {
          package: {
            ...sealed,
            signature: {
              algorithm: "Ed25519",
              key_id: `sha256:${"0".repeat(32)}`,
              public_key: "A",
              value: "A",
            },
          },
        },
      ],
      ["workflow_import", { package: { ...sealed, versions: "x" } }],
      ["workflow_import", { package: { ...sealed, workflow: "other:name" } }],
    ];
    const bad: string[] = [];
    for (const [name, args] of calls) {
      const call = await callTool(apiKey, name, args);
      if (call.text.includes("internal.error"))
        bad.push(`${name} ${JSON.stringify(args).slice(0, 120)}: ${call.text.slice(0, 200)}`);
    }
    expect(bad).toEqual([]);
  });
});
