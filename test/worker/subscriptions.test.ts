/**
 * Subscriptions: publishing registers a version's triggers (refusing bad ones with their line),
 * the next version replaces them, an older hotfix does not; workflow_subscribe_events,
 * workflow_unsubscribe and workflow_list_subscriptions; one event starts every subscriber.
 */
import { describe, expect, it } from "vitest";
import { callTool, newTenant, toolErrorOf } from "./support/clients.ts";
import { postEvent, publish, settledEvent } from "./support/events.ts";

const NOTIFY = `name: "team:notify"
description: "Tells the team"
version: "2.0.0"
inputs:
  what:
    type: "string"
    description: "What happened"
    required: false
    default: "something"
triggers:
  - id: on_release
    type: event
    event_type: "release.published"
steps:
  - id: "tell"
    type: "user_message"
    message: "{{ inputs.what }}"
`;

const BAD_TRIGGERS = `name: "team:bad"
description: "Bad triggers"
version: "1.0.0"
triggers:
  - type: schedule
    cron: "0 0 30 2 *"
  - type: schedule
    cron: "0 9 * * *"
    timezone: "Mars/Olympus"
  - type: webhook
    endpoint: "/a b"
    secret: "x"
steps:
  - id: "x"
    type: "user_message"
    message: "x"
`;

async function subscriptionsOf(apiKey: string, workflow?: string) {
  const listed = await callTool(
    apiKey,
    "workflow_list_subscriptions",
    workflow === undefined ? {} : { workflow },
  );
  return listed.structured.subscriptions as Record<string, unknown>[];
}

describe("trigger subscriptions", () => {
  it("publishing refuses bad triggers with line-located errors, and stores nothing", async () => {
    const { apiKey } = await newTenant("subs");
    const call = await callTool(apiKey, "workflow_publish", { yaml: BAD_TRIGGERS });
    const error = toolErrorOf(call);
    expect(error).toMatchObject({ code: "workflow.invalid", path: "triggers[0].cron", line: 6 });
    const errors = (call.structured as { errors: { code: string; path: string; line: number }[] }).errors;
    expect(errors.map((e) => [e.code, e.path, e.line])).toEqual([
      ["schedule.bad_cron", "triggers[0].cron", 6],
      ["schedule.bad_timezone", "triggers[1].timezone", 9],
      ["subscription.bad_endpoint", "triggers[2].endpoint", 11],
    ]);
    expect((await callTool(apiKey, "workflow_list")).structured.count).toBe(0);
    const validated = await callTool(apiKey, "workflow_validate", { yaml: BAD_TRIGGERS });
    expect(validated.structured.valid).toBe(false);
    expect(validated.structured.errors).toEqual(errors.map((e) => expect.objectContaining({ line: e.line })));
  });

  it("the latest version's triggers replace the previous ones; an older hotfix leaves them", async () => {
    const { apiKey } = await newTenant("subs");
    await publish(apiKey, NOTIFY);
    expect(await subscriptionsOf(apiKey)).toEqual([
      expect.objectContaining({
        subscription_id: "team:notify#on_release",
        origin: "trigger",
        version: "2.0.0",
        event_pattern: "release.published",
      }),
    ]);
    await publish(apiKey, NOTIFY.replace('"2.0.0"', '"1.9.1"').replace("release.published", "old.event"));
    expect((await subscriptionsOf(apiKey))[0]).toMatchObject({
      version: "2.0.0",
      event_pattern: "release.published",
    });
    // a new event type is a breaking change (docs/versioning.md, "Compatibility"): declared
    const widened = NOTIFY.replace('"2.0.0"', '"2.1.0"\nbreaking_changes: ["on_release takes release.*"]');
    await publish(apiKey, widened.replace("release.published", "release.*"));
    expect(await subscriptionsOf(apiKey)).toEqual([
      expect.objectContaining({
        subscription_id: "team:notify#on_release",
        version: "2.1.0",
        event_pattern: "release.*",
      }),
    ]);
    await publish(apiKey, NOTIFY.replace('"2.0.0"', '"3.0.0"').replace(/triggers:[\s\S]*?steps:/, "steps:"));
    expect(await subscriptionsOf(apiKey)).toEqual([]);
  });

  it("webhook secrets are never listed", async () => {
    const { apiKey } = await newTenant("subs");
    await publish(
      apiKey,
      NOTIFY.replace(
        /triggers:[\s\S]*?steps:/,
        'triggers:\n  - type: webhook\n    endpoint: "/x"\n    secret: "literal-secret-value"\nsteps:',
      ),
    );
    const listed = await callTool(apiKey, "workflow_list_subscriptions");
    expect(listed.text).not.toContain("literal-secret-value");
    expect(listed.structured.subscriptions).toEqual([
      expect.objectContaining({ trigger: { type: "webhook", endpoint: "/x", signature: "standard" } }),
    ]);
  });
});

describe("workflow_subscribe_events", () => {
  it("subscribes, starts one run per subscriber per event, and unsubscribes", async () => {
    const { apiKey } = await newTenant("subs");
    await publish(apiKey, NOTIFY);
    const made = await callTool(apiKey, "workflow_subscribe_events", {
      event_pattern: "release.*",
      workflow: "team:notify",
      filter: "payload.channel === 'stable'",
      inputs_mapping: { what: "released {{ payload.version }}" },
    });
    expect(made.isError).toBe(false);
    expect(made.structured).toMatchObject({
      origin: "api",
      event_pattern: "release.*",
      workflow: "team:notify",
    });
    const id = made.structured.subscription_id as string;
    expect(id).toMatch(/^sub_[0-9a-f]{24}$/);

    const res = await postEvent(apiKey, {
      type: "release.published",
      payload: { channel: "stable", version: "9" },
    });
    expect(res.body.runs).toHaveLength(2);
    const event = await settledEvent(apiKey, res.body.event_id!);
    expect(event.matches.map((match) => match.outcome)).toEqual(["started", "started"]);
    const viaApi = event.matches.find((match) => match.subscription_id === id)!;
    const status = await callTool(apiKey, "workflow_get_status", { workflow_id: viaApi.workflow_id });
    expect(status.structured).toMatchObject({ state: { inputs: { what: "released 9" } } });

    const beta = await postEvent(apiKey, { type: "release.published", payload: { channel: "beta" } });
    expect(beta.body.runs).toHaveLength(1);

    expect((await callTool(apiKey, "workflow_unsubscribe", { subscription_id: id })).structured).toEqual({
      subscription_id: id,
      removed: true,
    });
    const after = await postEvent(apiKey, { type: "release.published", payload: { channel: "stable" } });
    expect(after.body.runs).toHaveLength(1);
    expect(toolErrorOf(await callTool(apiKey, "workflow_unsubscribe", { subscription_id: id })).code).toBe(
      "subscription.not_found",
    );
  });

  it("refuses unknown workflows, bad patterns, syntax errors; trigger subscriptions cannot be removed", async () => {
    const { apiKey } = await newTenant("subs");
    await publish(apiKey, NOTIFY);
    const cases: [Record<string, unknown>, string, string?][] = [
      [{ event_pattern: "x", workflow: "no:such" }, "workflow.not_found", "workflow"],
      [{ event_pattern: "bad pattern!", workflow: "team:notify" }, "input.invalid", "event_pattern"],
      [{ event_pattern: "x", workflow: "team:notify", filter: "payload.(" }, "expression.syntax", "filter"],
      [
        { event_pattern: "x", workflow: "team:notify", inputs_mapping: { what: "a b c" } },
        "expression.syntax",
        "inputs_mapping.what",
      ],
      [{ event_pattern: "x", workflow: "team:notify", inputs_mapping: { "bad name": "1" } }, "input.invalid"],
    ];
    for (const [args, code, path] of cases) {
      const error = toolErrorOf(await callTool(apiKey, "workflow_subscribe_events", args));
      expect([JSON.stringify(args), error.code]).toEqual([JSON.stringify(args), code]);
      if (path !== undefined) expect(error.path).toBe(path);
    }
    const fromTrigger = await callTool(apiKey, "workflow_unsubscribe", {
      subscription_id: "team:notify#on_release",
    });
    expect(toolErrorOf(fromTrigger).code).toBe("subscription.from_trigger");
  });

  it("a mapping that throws and inputs the workflow refuses are logged, not lost", async () => {
    const { apiKey } = await newTenant("subs");
    await publish(apiKey, NOTIFY);
    await callTool(apiKey, "workflow_subscribe_events", {
      event_pattern: "oops",
      workflow: "team:notify",
      inputs_mapping: { what: "payload.missing.deeper" },
    });
    await callTool(apiKey, "workflow_subscribe_events", {
      event_pattern: "oops",
      workflow: "team:notify",
      inputs_mapping: { what: "42" },
    });
    const res = await postEvent(apiKey, { type: "oops", payload: {} });
    const event = await settledEvent(apiKey, res.body.event_id!);
    expect(event.matches.map((match) => [match.outcome, match.error?.code])).toEqual(
      expect.arrayContaining([
        ["mapping_error", "expression.runtime"],
        ["start_failed", expect.stringMatching(/^(state|input)\./)],
      ]),
    );
  });
});
