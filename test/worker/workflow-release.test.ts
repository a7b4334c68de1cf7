/**
 * A workflow's default version and its yanked versions (durable-objects/tenant/workflow-release.ts):
 * `workflow_set_default`, `workflow_yank`, `workflow_unyank`, their refusals, and every place that
 * picks "the" version (workflow_start, triggers, MCP subscriptions, workflow_get_info, workflow_list)
 * following the default.
 */
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import { recordEvent } from "../../durable-objects/tenant/event-intake.ts";
import { listSubscriptions } from "../../durable-objects/tenant/subscription-store.ts";
import { callTool, newTenant, toolErrorOf } from "./support/clients.ts";
import { postEvent, settledEvent } from "./support/events.ts";
import { tenantObject } from "./support/runs.ts";

afterEach(() => {
  vi.useRealTimers();
});

function pinger(version: string, eventType = "rel.ping"): string {
  return `name: "rel:ping"
description: "Says which version answered (${version})"
version: "${version}"
triggers:
  - type: event
    event_type: "${eventType}"
steps:
  - id: "say"
    type: "user_message"
    message: "version ${version}"
`;
}

async function tenantWith(...versions: string[]): Promise<string> {
  const { apiKey } = await newTenant("rel");
  for (const version of versions) {
    const published = await callTool(apiKey, "workflow_publish", { yaml: pinger(version) });
    expect(published.isError, published.text).toBe(false);
  }
  return apiKey;
}

async function startedVersion(apiKey: string, args: Record<string, unknown> = {}): Promise<string> {
  const started = await callTool(apiKey, "workflow_start", { workflow: "rel:ping", ...args });
  expect(started.isError, started.text).toBe(false);
  return started.structured.version as string;
}

/** The version of the run one `rel.ping` event started (through the trigger, or a subscription). */
async function triggeredVersions(apiKey: string, type = "rel.ping"): Promise<string[]> {
  const posted = await postEvent(apiKey, { type, payload: {} });
  expect(posted.status).toBe(202);
  const event = await settledEvent(apiKey, posted.body.event_id!);
  const versions: string[] = [];
  for (const match of event.matches) {
    expect(match.outcome, JSON.stringify(match)).toBe("started");
    const status = await callTool(apiKey, "workflow_get_status", { workflow_id: match.workflow_id });
    versions.push(status.structured.version as string);
  }
  return versions;
}

describe("default version", () => {
  it("follows the highest version until pinned; a pin survives newer publishes; latest unpins", async () => {
    const apiKey = await tenantWith("1.0.0", "1.1.0");
    expect(await startedVersion(apiKey)).toBe("1.1.0");
    const pinned = await callTool(apiKey, "workflow_set_default", { workflow: "rel:ping", version: "1.0.0" });
    expect(pinned.structured).toMatchObject({
      default_version: "1.0.0",
      default_pinned: true,
      changed: true,
    });
    expect(await startedVersion(apiKey)).toBe("1.0.0");
    expect(await triggeredVersions(apiKey)).toEqual(["1.0.0"]);
    // a newer publish does not move a pinned default (the operator rolled back on purpose)
    await callTool(apiKey, "workflow_publish", { yaml: pinger("2.0.0") });
    expect(await startedVersion(apiKey)).toBe("1.0.0");
    expect(await triggeredVersions(apiKey)).toEqual(["1.0.0"]);
    const info = await callTool(apiKey, "workflow_get_info", { workflow: "rel:ping" });
    expect(info.structured).toMatchObject({
      version: "1.0.0",
      default_version: "1.0.0",
      default_pinned: true,
    });
    const listed = await callTool(apiKey, "workflow_list");
    expect(listed.structured.workflows).toEqual([
      expect.objectContaining({ version: "2.0.0", default_version: "1.0.0", yanked: [] }),
    ]);
    // the same call again changes nothing
    const again = await callTool(apiKey, "workflow_set_default", { workflow: "rel:ping", version: "1.0.0" });
    expect(again.structured.changed).toBe(false);
    // back to following the newest
    const latest = await callTool(apiKey, "workflow_set_default", {
      workflow: "rel:ping",
      version: "latest",
    });
    expect(latest.structured).toMatchObject({
      default_version: "2.0.0",
      default_pinned: false,
      changed: true,
    });
    expect(await startedVersion(apiKey)).toBe("2.0.0");
    expect(await triggeredVersions(apiKey)).toEqual(["2.0.0"]);
    // an explicit version still starts any version that is not yanked
    expect(await startedVersion(apiKey, { version: "1.1.0" })).toBe("1.1.0");
  });

  it("rolls the triggers back with the default: the pinned version's triggers replace the newer ones", async () => {
    const { apiKey } = await newTenant("rel");
    await callTool(apiKey, "workflow_publish", { yaml: pinger("1.0.0", "rel.old") });
    await callTool(apiKey, "workflow_publish", { yaml: pinger("2.0.0", "rel.new") });
    expect(await triggeredVersions(apiKey, "rel.new")).toEqual(["2.0.0"]);
    await callTool(apiKey, "workflow_set_default", { workflow: "rel:ping", version: "1.0.0" });
    expect(await triggeredVersions(apiKey, "rel.old")).toEqual(["1.0.0"]);
    expect(await triggeredVersions(apiKey, "rel.new")).toEqual([]);
  });

  it("starts MCP subscriptions (no version of their own) on the default", async () => {
    const apiKey = await tenantWith("1.0.0", "2.0.0");
    const subscribed = await callTool(apiKey, "workflow_subscribe_events", {
      event_pattern: "rel.sub",
      workflow: "rel:ping",
    });
    expect(subscribed.isError, subscribed.text).toBe(false);
    expect(await triggeredVersions(apiKey, "rel.sub")).toEqual(["2.0.0"]);
    await callTool(apiKey, "workflow_set_default", { workflow: "rel:ping", version: "1.0.0" });
    expect(await triggeredVersions(apiKey, "rel.sub")).toEqual(["1.0.0"]);
  });

  it("refuses an unknown workflow or version with a coded error", async () => {
    const apiKey = await tenantWith("1.0.0");
    const unknownVersion = await callTool(apiKey, "workflow_set_default", {
      workflow: "rel:ping",
      version: "3.0.0",
    });
    expect(toolErrorOf(unknownVersion)).toMatchObject({ code: "workflow.not_found", path: "version" });
    const unknownWorkflow = await callTool(apiKey, "workflow_set_default", {
      workflow: "rel:missing",
      version: "latest",
    });
    expect(toolErrorOf(unknownWorkflow)).toMatchObject({ code: "workflow.not_found", path: "workflow" });
    const tooLong = await callTool(apiKey, "workflow_yank", {
      workflow: "rel:ping",
      version: "1.0.0",
      reason: "x".repeat(501),
    });
    expect(toolErrorOf(tooLong).code).toBe("input.invalid");
  });
});

describe("yanking", () => {
  it("a yanked version cannot be started, made the default or chosen by a trigger; runs on it go on", async () => {
    const apiKey = await tenantWith("1.0.0", "2.0.0");
    const onTwo = await callTool(apiKey, "workflow_start", { workflow: "rel:ping" });
    const runOnTwo = onTwo.structured.workflow_id as string;
    const yanked = await callTool(apiKey, "workflow_yank", {
      workflow: "rel:ping",
      version: "2.0.0",
      reason: "sends the wrong greeting",
    });
    expect(yanked.structured).toMatchObject({
      default_version: "1.0.0",
      default_pinned: false,
      yanked: [{ version: "2.0.0", reason: "sends the wrong greeting" }],
      changed: true,
    });
    expect(await startedVersion(apiKey)).toBe("1.0.0");
    expect(await triggeredVersions(apiKey)).toEqual(["1.0.0"]);
    const explicit = await callTool(apiKey, "workflow_start", { workflow: "rel:ping", version: "2.0.0" });
    expect(toolErrorOf(explicit)).toMatchObject({ code: "workflow.version_yanked", path: "version" });
    const asDefault = await callTool(apiKey, "workflow_set_default", {
      workflow: "rel:ping",
      version: "2.0.0",
    });
    expect(toolErrorOf(asDefault).code).toBe("workflow.version_yanked");
    // the run already on 2.0.0 goes on to the end
    const next = await callTool(apiKey, "workflow_get_next_step", { workflow_id: runOnTwo });
    expect(next.isError, next.text).toBe(false);
    const status = await callTool(apiKey, "workflow_get_status", { workflow_id: runOnTwo });
    expect(status.structured).toMatchObject({ version: "2.0.0", status: "completed" });
    // shown by get_info and list
    const info = await callTool(apiKey, "workflow_get_info", { workflow: "rel:ping" });
    expect(info.structured).toMatchObject({
      version: "1.0.0",
      default_version: "1.0.0",
      yanked: [{ version: "2.0.0", reason: "sends the wrong greeting" }],
    });
    const listed = await callTool(apiKey, "workflow_list");
    expect(listed.structured.workflows).toEqual([
      expect.objectContaining({ version: "2.0.0", default_version: "1.0.0", yanked: ["2.0.0"] }),
    ]);
    // yanking again changes nothing; unyank restores it as the default
    const twice = await callTool(apiKey, "workflow_yank", { workflow: "rel:ping", version: "2.0.0" });
    expect(twice.structured.changed).toBe(false);
    const restored = await callTool(apiKey, "workflow_unyank", { workflow: "rel:ping", version: "2.0.0" });
    expect(restored.structured).toMatchObject({ default_version: "2.0.0", yanked: [], changed: true });
    expect(await startedVersion(apiKey, { version: "2.0.0" })).toBe("2.0.0");
    expect(await triggeredVersions(apiKey)).toEqual(["2.0.0"]);
  });

  it("a trigger's start queued for a version yanked since starts the default", async () => {
    const { id, apiKey } = await newTenant("rel");
    for (const version of ["1.0.0", "2.0.0"])
      await callTool(apiKey, "workflow_publish", { yaml: pinger(version) });
    // what a crash right after the intake leaves: the event and a pending start for 2.0.0, no run
    const runId = await runInDurableObject(tenantObject(id), (_instance, state) => {
      const [stored] = listSubscriptions(state.storage.sql);
      expect(stored?.subscription.version).toBe("2.0.0");
      const now = Date.now();
      return recordEvent(state.storage, {
        event: { id: "evt_queued", type: "rel.ping", source: "test", payload: {}, receivedAt: now },
        matches: [{ subscription: stored!.subscription, inputs: {} }],
        now,
        allowRun: () => true,
      }).answer.runs[0]!;
    });
    await callTool(apiKey, "workflow_yank", { workflow: "rel:ping", version: "2.0.0" });
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(Date.now() + 16_000);
    await runDurableObjectAlarm(tenantObject(id));
    const event = await settledEvent(apiKey, "evt_queued");
    expect(event.matches).toEqual([expect.objectContaining({ outcome: "started", workflow_id: runId })]);
    const status = await callTool(apiKey, "workflow_get_status", { workflow_id: runId });
    expect(status.structured.version).toBe("1.0.0");
  });

  it("refuses to yank the pinned default or the last version not yanked", async () => {
    const apiKey = await tenantWith("1.0.0", "2.0.0");
    await callTool(apiKey, "workflow_set_default", { workflow: "rel:ping", version: "1.0.0" });
    const pinned = await callTool(apiKey, "workflow_yank", { workflow: "rel:ping", version: "1.0.0" });
    expect(toolErrorOf(pinned)).toMatchObject({ code: "workflow.yank_refused", path: "version" });
    await callTool(apiKey, "workflow_set_default", { workflow: "rel:ping", version: "latest" });
    await callTool(apiKey, "workflow_yank", { workflow: "rel:ping", version: "1.0.0" });
    const last = await callTool(apiKey, "workflow_yank", { workflow: "rel:ping", version: "2.0.0" });
    expect(toolErrorOf(last).code).toBe("workflow.yank_refused");
    const unknown = await callTool(apiKey, "workflow_yank", { workflow: "rel:ping", version: "9.0.0" });
    expect(toolErrorOf(unknown)).toMatchObject({ code: "workflow.not_found", path: "version" });
    const notYanked = await callTool(apiKey, "workflow_unyank", { workflow: "rel:ping", version: "2.0.0" });
    expect(notYanked.structured.changed).toBe(false);
  });

  it("audits each change (and not a call that changed nothing)", async () => {
    const apiKey = await tenantWith("1.0.0", "2.0.0");
    await callTool(apiKey, "workflow_set_default", { workflow: "rel:ping", version: "1.0.0" });
    await callTool(apiKey, "workflow_set_default", { workflow: "rel:ping", version: "1.0.0" });
    await callTool(apiKey, "workflow_set_default", { workflow: "rel:ping", version: "latest" });
    await callTool(apiKey, "workflow_yank", { workflow: "rel:ping", version: "1.0.0", reason: "bad" });
    await callTool(apiKey, "workflow_unyank", { workflow: "rel:ping", version: "1.0.0" });
    const audit = await callTool(apiKey, "workflow_audit", { order: "oldest_first", limit: 50 });
    const entries = (audit.structured.entries as { action: string; object: { id: string } }[]).filter(
      (entry) => entry.action !== "workflow.publish" && entry.action.startsWith("workflow."),
    );
    expect(entries.map((entry) => [entry.action, entry.object.id])).toEqual([
      ["workflow.set_default", "rel:ping@1.0.0"],
      ["workflow.set_default", "rel:ping@latest"],
      ["workflow.yank", "rel:ping@1.0.0"],
      ["workflow.unyank", "rel:ping@1.0.0"],
    ]);
  });
});
