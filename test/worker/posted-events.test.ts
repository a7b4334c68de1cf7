/**
 * POST /events with a tenant key: custom events and file changes go through the same
 * match-store-202 path as webhooks; the seed's `!path.includes('test')` filter works as written;
 * a re-posted id is answered with the original result; bad input is a 4xx, never a 500.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { callTool, newTenant } from "./support/clients.ts";
import { eventLog, postEvent, publish, settledEvent } from "./support/events.ts";

const ON_CHANGE = `name: "files:lint"
description: "Lints changed TypeScript files"
version: "1.0.0"
inputs:
  file:
    type: "string"
    description: "The changed file"
triggers:
  - type: file_change
    pattern: "**/*.ts"
    events: [created, modified]
    filter: "!path.includes('test')"
    inputs_mapping:
      file: "path"
steps:
  - id: "lint"
    type: "user_message"
    message: "lint {{ inputs.file }} ({{ event.change }})"
`;

const ON_DEPLOY = `name: "deploy:requested"
description: "Runs on a custom event"
version: "1.0.0"
inputs:
  env:
    type: "string"
    description: "Target"
    required: false
    default: "staging"
triggers:
  - type: event
    event_type: "deploy.*"
    inputs_mapping:
      env: "{{ payload.env }}"
steps:
  - id: "go"
    type: "user_message"
    message: "deploy to {{ inputs.env }}"
`;

let tenant: { id: string; apiKey: string };

beforeAll(async () => {
  tenant = await newTenant("posted");
  await publish(tenant.apiKey, ON_CHANGE);
  await publish(tenant.apiKey, ON_DEPLOY);
});

function fileChange(path: string, change = "modified", id?: string) {
  return {
    type: "file_change",
    source: "repo",
    payload: { path, change },
    ...(id === undefined ? {} : { id }),
  };
}

describe("POST /events", () => {
  it("a file change matching the glob and the seed's filter starts a run with the mapped input", async () => {
    const res = await postEvent(tenant.apiKey, fileChange("src/lib/a.ts"));
    expect(res.status).toBe(202);
    expect(res.body.runs).toHaveLength(1);
    const event = await settledEvent(tenant.apiKey, res.body.event_id!);
    expect(event).toMatchObject({ type: "file_change", source: "repo", status: "accepted" });
    const next = await callTool(tenant.apiKey, "workflow_get_next_step", {
      workflow_id: event.matches[0]!.workflow_id,
    });
    expect(next.structured.steps).toEqual([
      expect.objectContaining({
        definition: expect.objectContaining({ message: "lint src/lib/a.ts (modified)" }),
      }),
    ]);
  });

  it("filtered out, other globs, other kinds of change", async () => {
    const tests = await postEvent(tenant.apiKey, fileChange("src/test/a.ts"));
    expect(tests.body.runs).toEqual([]);
    expect((await settledEvent(tenant.apiKey, tests.body.event_id!)).matches).toEqual([
      expect.objectContaining({ workflow: "files:lint", outcome: "filtered_out" }),
    ]);
    const markdown = await postEvent(tenant.apiKey, fileChange("README.md"));
    expect((await settledEvent(tenant.apiKey, markdown.body.event_id!)).matches).toEqual([]);
    const deleted = await postEvent(tenant.apiKey, fileChange("src/a.ts", "deleted"));
    expect(deleted.body.runs).toEqual([]);
  });

  it("a custom event matches an event trigger by pattern and maps a template", async () => {
    const res = await postEvent(tenant.apiKey, { type: "deploy.requested", payload: { env: "prod" } });
    expect(res.status).toBe(202);
    const event = await settledEvent(tenant.apiKey, res.body.event_id!);
    const status = await callTool(tenant.apiKey, "workflow_get_status", {
      workflow_id: event.matches[0]!.workflow_id,
    });
    expect(status.structured).toMatchObject({
      workflow: "deploy:requested",
      state: { inputs: { env: "prod" } },
    });
    const nobody = await postEvent(tenant.apiKey, { type: "build.finished" });
    expect(nobody.status).toBe(202);
    expect(nobody.body.runs).toEqual([]);
  });

  it("re-posting an id starts nothing and answers the original result", async () => {
    const first = await postEvent(tenant.apiKey, fileChange("src/b.ts", "created", "watch:1234"));
    expect(first.body).toEqual({ event_id: "watch:1234", runs: [expect.stringMatching(/^wf_/)] });
    const again = await postEvent(tenant.apiKey, fileChange("src/other.ts", "created", "watch:1234"));
    expect([again.status, again.body]).toEqual([202, first.body]);
    expect(again.headers.get("x-edgeflow-duplicate")).toBe("true");
    expect((await eventLog(tenant.apiKey, { event_id: "watch:1234" }))[0]?.matches).toHaveLength(1);
  });

  it("a batch is stored in one go and answered per event, in order", async () => {
    const res = await postEvent(tenant.apiKey, {
      events: [
        fileChange("src/batch/one.ts", "created", "batch:1"),
        { type: "deploy.requested", id: "batch:2", payload: { env: "qa" } },
        fileChange("src/batch/one.ts", "modified", "batch:1"),
        { type: "nobody.listens" },
      ],
    });
    expect(res.status).toBe(202);
    const answers = (res.body as unknown as { events: { event_id: string; runs: string[] }[] }).events;
    expect(answers.map((answer) => [answer.event_id, answer.runs.length])).toEqual([
      ["batch:1", 1],
      ["batch:2", 1],
      ["batch:1", 1],
      [expect.stringMatching(/^evt_/), 0],
    ]);
    expect(answers[2]).toEqual(answers[0]);
    await settledEvent(tenant.apiKey, "batch:2");
  });

  it("a batch with one bad event is refused whole, naming it", async () => {
    const res = await postEvent(tenant.apiKey, {
      events: [fileChange("src/ok.ts", "created", "batch:ok"), fileChange("src/bad.ts", "renamed")],
    });
    expect([res.status, res.body.error?.code]).toEqual([400, "events.invalid_payload"]);
    expect((res.body.error as { path?: string }).path).toBe("events[1].payload.change");
    const reserved = await postEvent(tenant.apiKey, {
      events: [fileChange("src/ok.ts", "created", "batch:ok"), { type: "schedule" }],
    });
    expect([reserved.status, reserved.body.error?.code]).toEqual([400, "events.reserved_type"]);
    expect((reserved.body.error as { path?: string }).path).toBe("events[1].type");
    expect(await eventLog(tenant.apiKey, { event_id: "batch:ok" })).toEqual([]);
    const tooMany = await postEvent(tenant.apiKey, {
      events: Array.from({ length: 101 }, () => ({ type: "x" })),
    });
    expect([tooMany.status, tooMany.body.error?.code]).toEqual([400, "input.invalid"]);
  });

  it("needs the tenant key", async () => {
    const none = await postEvent(null, fileChange("a.ts"));
    expect([none.status, none.body.error?.code]).toEqual([401, "auth.missing_key"]);
    const bad = await postEvent("efk_nope", fileChange("a.ts"));
    expect(bad.status).toBe(401);
  });

  it("refuses bad events with 400 and a path", async () => {
    const cases: [unknown, string, string?][] = [
      ["{nope", "request.invalid_json"],
      [{ type: "bad type!" }, "input.invalid", "type"],
      [
        { type: "file_change", payload: { path: "a.ts", change: "renamed" } },
        "events.invalid_payload",
        "payload.change",
      ],
      [{ type: "file_change" }, "events.invalid_payload"],
      [{ type: "webhook", payload: {} }, "events.reserved_type", "type"],
      [{ type: "schedule" }, "events.reserved_type", "type"],
      [{ type: "x", extra: 1 }, "input.invalid"],
      [{ type: "x", id: "has space" }, "input.invalid", "id"],
      [[], "input.invalid"],
    ];
    for (const [body, code, path] of cases) {
      const res = await postEvent(tenant.apiKey, body);
      expect([JSON.stringify(body), res.status, res.body.error?.code]).toEqual([
        JSON.stringify(body),
        400,
        code,
      ]);
      if (path !== undefined) expect((res.body.error as { path?: string }).path).toBe(path);
    }
  });

  it("a body over 1 MiB is 413", async () => {
    const res = await postEvent(tenant.apiKey, { type: "big", payload: "x".repeat(1024 * 1024) });
    expect([res.status, res.body.error?.code]).toEqual([413, "request.too_large"]);
  });
});
