/**
 * Matching events to subscriptions: candidates by pattern and trigger (endpoint, own schedule,
 * glob and kinds of change), filters over the event (the seed's `!path.includes('test')` as
 * written), inputs_mapping as templates or expressions, and every way a subscription is skipped.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dueFires } from "../../../engine/events/cron.ts";
import { scheduleEvent, webhookEvent } from "../../../engine/events/event-builders.ts";
import { type EventMatch, matchEvent } from "../../../engine/events/matching.ts";
import { type Subscription, subscriptionsFromTriggers } from "../../../engine/events/subscription.ts";
import type { Evaluator } from "../../../engine/expressions/evaluator.ts";
import { createEvaluator } from "../../../engine/expressions/quickjs-evaluator.ts";
import { customEvent, fileChange, loadEventFixture, RECEIVED_AT } from "./event-fixtures.ts";

let evaluator: Evaluator;
beforeAll(async () => {
  evaluator = await createEvaluator();
});
afterAll(() => evaluator.dispose());

const ci = subscriptionsFromTriggers(loadEventFixture("ci-on-change.yaml"));
const deploy = subscriptionsFromTriggers(loadEventFixture("deploy-on-push.yaml"));
const all = [...ci, ...deploy];

function summary(matches: EventMatch[]): Record<string, unknown> {
  return Object.fromEntries(
    matches.map((match) => [match.subscription.id, "inputs" in match ? match.inputs : match.skipped]),
  );
}

function subscription(overrides: Partial<Subscription>): Subscription {
  return { id: "s", workflow: "test:flow", event_pattern: "*", ...overrides };
}

describe("file changes", () => {
  it("starts a run for a .ts change outside tests, with the seed's filter as written", () => {
    expect(summary(matchEvent(fileChange("src/a.ts"), all, evaluator))).toEqual({
      "ci:on-change#ts_changes": { path: "src/a.ts", reason: "file modified" },
    });
  });

  it("filters out a path that includes 'test'", () => {
    expect(summary(matchEvent(fileChange("src/test/a.ts"), all, evaluator))).toEqual({
      "ci:on-change#ts_changes": "filtered_out",
    });
  });

  it("leaves out paths the globs do not match, or exclude", () => {
    expect(matchEvent(fileChange("src/a.js"), all, evaluator)).toEqual([]);
    expect(matchEvent(fileChange("src/types.d.ts"), all, evaluator)).toEqual([]);
  });

  it("leaves out kinds of change the trigger does not list", () => {
    expect(matchEvent(fileChange("src/a.ts", "deleted"), all, evaluator)).toEqual([]);
    expect(summary(matchEvent(fileChange("src/a.ts", "created"), all, evaluator))).toEqual({
      "ci:on-change#ts_changes": { path: "src/a.ts", reason: "file created" },
    });
  });

  it("matches a root-level file and normalises Windows separators", () => {
    expect(matchEvent(fileChange("a.ts"), ci, evaluator)).toHaveLength(1);
    expect(summary(matchEvent(fileChange("src\\lib\\b.ts"), ci, evaluator))).toEqual({
      "ci:on-change#ts_changes": { path: "src\\lib\\b.ts", reason: "file modified" },
    });
  });

  it("sees the same fields under event. as bare", () => {
    const both = subscription({
      event_pattern: "file_change",
      filter: "event.path === path && event.change === change",
    });
    expect(summary(matchEvent(fileChange("x.ts"), [both], evaluator))).toEqual({ s: {} });
  });

  it("ignores a file_change event without a path", () => {
    const broken = { ...fileChange("x.ts"), payload: { change: "modified" } };
    expect(matchEvent(broken, ci, evaluator)).toEqual([]);
  });
});

describe("webhooks", () => {
  const push = (ref: string, event = "push") =>
    webhookEvent({
      id: "wh-1",
      endpoint: "/github",
      payload: { ref, after: "abc123", repository: { full_name: "acme/app" } },
      headers: { "X-GitHub-Event": event, "X-Hub-Signature-256": "sha256=secret-looking" },
      receivedAt: RECEIVED_AT,
    });

  it("starts every workflow subscribed to the endpoint (two subscribers, two runs)", () => {
    expect(summary(matchEvent(push("refs/heads/main"), all, evaluator))).toEqual({
      "ci:on-change#github_push": { ref: "refs/heads/main", reason: "push to acme/app" },
      "deploy:on-push#triggers[0]": { sha: "abc123" },
    });
  });

  it("applies each subscriber's own filter", () => {
    expect(summary(matchEvent(push("refs/heads/feature"), all, evaluator))).toEqual({
      "ci:on-change#github_push": { ref: "refs/heads/feature", reason: "push to acme/app" },
      "deploy:on-push#triggers[0]": "filtered_out",
    });
    expect(summary(matchEvent(push("refs/heads/main", "ping"), all, evaluator))).toMatchObject({
      "ci:on-change#github_push": "filtered_out",
    });
  });

  it("leaves out subscriptions on other endpoints", () => {
    const elsewhere = { ...push("refs/heads/main"), source: "/gitlab" };
    expect(matchEvent(elsewhere, all, evaluator)).toEqual([]);
  });

  it("keeps headers for filters but never the signature", () => {
    expect(push("x").headers).toEqual({ "x-github-event": "push" });
  });
});

describe("schedules", () => {
  it("a fire matches only the schedule it belongs to, with its payload", () => {
    const nightly = ci.find((candidate) => candidate.id === "ci:on-change#nightly")!;
    const trigger = nightly.trigger as { cron: string; timezone: string; jitter: number };
    const schedule = {
      id: nightly.id,
      cron: trigger.cron,
      timezone: trigger.timezone,
      jitterSeconds: trigger.jitter,
    };
    const { fires } = dueFires(schedule, { lastFiredAt: Date.UTC(2026, 0, 14, 12), now: RECEIVED_AT });
    expect(fires).toHaveLength(1);
    const event = scheduleEvent(fires[0]!, schedule, RECEIVED_AT);
    expect(event.id).toBe("schedule:ci:on-change#nightly@2026-01-15T07:30:00.000Z");
    expect(summary(matchEvent(event, all, evaluator))).toEqual({
      "ci:on-change#nightly": { reason: "schedule at 2026-01-15T07:30:00.000Z" },
    });
    const foreign = { ...event, source: "other:flow#triggers[0]" };
    expect(matchEvent(foreign, all, evaluator)).toEqual([]);
  });
});

describe("named and custom events", () => {
  it("matches the event trigger's type exactly", () => {
    expect(summary(matchEvent(customEvent("ci.requested"), all, evaluator))).toEqual({
      "ci:on-change#triggers[3]": {},
    });
    expect(matchEvent(customEvent("ci.requested.later"), all, evaluator)).toEqual([]);
  });

  it("matches glob-ish patterns from workflow_subscribe_events", () => {
    const subscriptions = [
      subscription({ id: "github", event_pattern: "github.*" }),
      subscription({ id: "everything", event_pattern: "*" }),
      subscription({ id: "exact", event_pattern: "github.push" }),
      subscription({ id: "files", event_pattern: "file_change" }),
    ];
    const ids = (type: string) =>
      matchEvent(customEvent(type), subscriptions, evaluator).map((m) => m.subscription.id);
    expect(ids("github.push")).toEqual(["github", "everything", "exact"]);
    expect(ids("github.pull_request.opened")).toEqual(["github", "everything"]);
    expect(ids("githubby")).toEqual(["everything"]);
    expect(
      matchEvent(fileChange("any/where.py"), subscriptions, evaluator).map((m) => m.subscription.id),
    ).toEqual(["everything", "files"]);
  });

  it("skips disabled subscriptions", () => {
    expect(matchEvent(customEvent("x"), [subscription({ enabled: false })], evaluator)).toEqual([]);
  });
});

describe("filters and inputs_mapping", () => {
  const event = customEvent("deploy.requested", {
    type: "user.created",
    ref: "refs/heads/main",
    count: 3,
    tags: ["a", "b"],
    nested: { deep: { value: 42 } },
  });
  const mapped = (inputs_mapping: Record<string, string>) =>
    matchEvent(event, [subscription({ inputs_mapping })], evaluator)[0];

  it("keeps the type of a lone template and interpolates mixed text", () => {
    expect(
      mapped({
        typed: "{{ event.payload.nested.deep.value }}",
        list: "{{ tags }}",
        text: "ref {{ ref }} x{{ count }}",
      }),
    ).toMatchObject({ inputs: { typed: 42, list: ["a", "b"], text: "ref refs/heads/main x3" } });
  });

  it("evaluates a bare value as an expression over the event", () => {
    expect(mapped({ ref: "payload.ref", doubled: "count * 2", first: "tags[0]" })).toMatchObject({
      inputs: { ref: "refs/heads/main", doubled: 6, first: "a" },
    });
  });

  it("leaves an input out when its mapping is undefined, so the default applies", () => {
    expect(mapped({ missing: "{{ event.payload.nope }}", ref: "ref" })).toEqual({
      subscription: expect.anything(),
      inputs: { ref: "refs/heads/main" },
    });
  });

  it("lets the envelope win over payload fields of the same name", () => {
    expect(mapped({ envelope: "type", own: "payload.type", also: "event.type" })).toMatchObject({
      inputs: { envelope: "deploy.requested", own: "user.created", also: "deploy.requested" },
    });
  });

  it("reports a mapping that throws as mapping_error (an unquoted constant is a name)", () => {
    const result = mapped({ branch: "main" });
    expect(result).toMatchObject({ skipped: "mapping_error", error: { path: "inputs_mapping.branch" } });
    expect(result && "error" in result && result.error?.message).toMatch(/main/);
    expect(mapped({ branch: "'main'" })).toMatchObject({ inputs: { branch: "main" } });
  });

  it.each([
    ["a syntax error", "path.includes(", "expression.syntax"],
    ["a runtime error", "nested.missing.deeper", "expression.runtime"],
    [
      "an endless loop, stopped by the step budget",
      "(() => { while (true) {} })()",
      "expression.budget_exceeded",
    ],
  ])("reports %s in a filter as filter_error", (_name, filter, code) => {
    const [result] = matchEvent(event, [subscription({ filter })], evaluator);
    expect(result).toMatchObject({ skipped: "filter_error", error: { code, path: "filter" } });
  });

  it("accepts a filter written as a template", () => {
    const [result] = matchEvent(event, [subscription({ filter: "{{ count > 2 }}" })], evaluator);
    expect(result).toMatchObject({ inputs: {} });
  });

  it("cannot reach the host: filters see only the event", () => {
    const [result] = matchEvent(
      event,
      [subscription({ filter: "typeof process === 'undefined' && typeof env === 'undefined'" })],
      evaluator,
    );
    expect(result).toMatchObject({ inputs: {} });
  });

  it("evaluates each candidate once and keeps the subscriptions' order", () => {
    const subscriptions = Array.from({ length: 5 }, (_, i) =>
      subscription({ id: `s${i}`, filter: `count > ${i}`, inputs_mapping: { i: String(i) } }),
    );
    expect(summary(matchEvent(event, subscriptions, evaluator))).toEqual({
      s0: { i: 0 },
      s1: { i: 1 },
      s2: { i: 2 },
      s3: "filtered_out",
      s4: "filtered_out",
    });
  });
});
