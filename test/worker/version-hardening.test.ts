/**
 * The version rules hardened after the issue-13 attacks, through the real TenantDO: a version
 * semver reads as equal to a stored one spelled differently is `workflow.version_exists`;
 * `workflow_validate` refuses a version going in between exactly as publish does; the default
 * skips prereleases while a release exists, unless pinned (docs/versioning.md).
 */
import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { callTool, newTenant, toolErrorOf } from "./support/clients.ts";
import { publish } from "./support/events.ts";
import { tenantObject } from "./support/runs.ts";

const flow = (version: string, extraSteps = "") => `name: "hard:flow"
description: "hardening"
version: "${version}"
steps:
  - id: draft
    type: user_message
    message: "hi"
${extraSteps}`;
const EXTRA = '  - id: extra\n    type: user_message\n    message: "x"\n';

describe("version hardening", () => {
  it("a version stored under another spelling of the same semver refuses the canonical one", async () => {
    const { id, apiKey } = await newTenant("hardalias");
    await publish(apiKey, flow("1.0.0"));
    // a row stored before the loader required the canonical spelling
    await runInDurableObject(tenantObject(id), (_instance, state) => {
      state.storage.sql.exec("UPDATE workflow_versions SET version = '1.0.0+old' WHERE version = '1.0.0'");
    });
    const call = await callTool(apiKey, "workflow_publish", { yaml: flow("1.0.0", EXTRA) });
    expect(call.isError, call.text).toBe(true);
    expect(toolErrorOf(call).code).toBe("workflow.version_exists");
  });

  it("workflow_validate refuses a version going in between that the version above breaks against", async () => {
    const { apiKey } = await newTenant("hardmid");
    await publish(apiKey, flow("1.0.0"));
    await publish(apiKey, flow("1.2.0"));
    const validated = await callTool(apiKey, "workflow_validate", { yaml: flow("1.1.0", EXTRA) });
    expect(validated.structured).toMatchObject({
      valid: false,
      errors: [{ code: "publish.breaking_change", path: "version" }],
    });
    // a major above accepts it
    const other = await newTenant("hardmid2");
    await publish(other.apiKey, flow("1.0.0"));
    await publish(other.apiKey, flow("2.0.0"));
    const accepted = await callTool(other.apiKey, "workflow_publish", { yaml: flow("1.1.0", EXTRA) });
    expect(accepted.isError, accepted.text).toBe(false);
  });

  it("a prerelease is the default only when no release is left, or when pinned", async () => {
    const { apiKey } = await newTenant("hardrc");
    await publish(apiKey, flow("2.0.0-rc.1"));
    const alone = await callTool(apiKey, "workflow_get_info", { workflow: "hard:flow" });
    expect(alone.structured.default_version).toBe("2.0.0-rc.1");
    await publish(apiKey, flow("1.0.0"));
    const release = await callTool(apiKey, "workflow_get_info", { workflow: "hard:flow" });
    expect(release.structured.default_version).toBe("1.0.0");
    const pinned = await callTool(apiKey, "workflow_set_default", {
      workflow: "hard:flow",
      version: "2.0.0-rc.1",
    });
    expect(pinned.isError, pinned.text).toBe(false);
    const info = await callTool(apiKey, "workflow_get_info", { workflow: "hard:flow" });
    expect(info.structured.default_version).toBe("2.0.0-rc.1");
  });
});
