/**
 * Subscriptions derived from `triggers:` (ids, patterns, versions, disabled triggers), the
 * publish-time problems with their paths, endpoints, and webhook secrets resolved from the
 * tenant's secrets (`{{ env.NAME }}` substituted on the host) for rotation.
 */
import { describe, expect, it } from "vitest";
import {
  normalizeEndpoint,
  subscriptionSchema,
  subscriptionsForEndpoint,
  subscriptionsFromTriggers,
  triggerProblems,
} from "../../../engine/events/subscription.ts";
import { resolveWebhookSecrets } from "../../../engine/events/webhook-secrets.ts";
import { loadEventFixture } from "./event-fixtures.ts";

describe("subscriptionsFromTriggers", () => {
  it("derives one subscription per enabled trigger, with stable ids and patterns", () => {
    const subscriptions = subscriptionsFromTriggers(loadEventFixture("ci-on-change.yaml"));
    expect(subscriptions.map(({ id, event_pattern, version }) => ({ id, event_pattern, version }))).toEqual([
      { id: "ci:on-change#ts_changes", event_pattern: "file_change", version: "1.2.0" },
      { id: "ci:on-change#nightly", event_pattern: "schedule", version: "1.2.0" },
      { id: "ci:on-change#github_push", event_pattern: "webhook", version: "1.2.0" },
      { id: "ci:on-change#triggers[3]", event_pattern: "ci.requested", version: "1.2.0" },
    ]);
    expect(subscriptions[0]).toMatchObject({
      workflow: "ci:on-change",
      filter: "!path.includes('test')",
      inputs_mapping: { path: "{{ event.path }}", reason: "'file ' + change" },
    });
    for (const subscription of subscriptions)
      expect(subscriptionSchema.safeParse(subscription).success).toBe(true);
  });

  it("skips disabled triggers, keeping the positions of the others in their ids", () => {
    expect(subscriptionsFromTriggers(loadEventFixture("deploy-on-push.yaml")).map((s) => s.id)).toEqual([
      "deploy:on-push#triggers[0]",
    ]);
  });

  it("gives a new version's subscriptions the same ids", () => {
    const definition = loadEventFixture("ci-on-change.yaml");
    const next = subscriptionsFromTriggers({ ...definition, version: "1.3.0" });
    expect(next.map((s) => s.id)).toEqual(subscriptionsFromTriggers(definition).map((s) => s.id));
    expect(next[0]?.version).toBe("1.3.0");
  });

  it("derives nothing from a workflow without triggers", () => {
    expect(subscriptionsFromTriggers({ name: "a:b", version: "1.0.0" })).toEqual([]);
  });

  it("works on the seed's example as written", () => {
    const seed = loadEventFixture("../loader/valid/seed-example.yaml");
    expect(subscriptionsFromTriggers(seed).map((s) => [s.id, s.event_pattern])).toEqual([
      ["advanced:event-driven#triggers[0]", "file_change"],
      ["advanced:event-driven#triggers[1]", "schedule"],
      ["advanced:event-driven#triggers[2]", "webhook"],
    ]);
  });
});

describe("triggerProblems", () => {
  const definition = {
    name: "bad:triggers",
    version: "1.0.0",
    triggers: [
      { type: "schedule" as const, cron: "61 * * * *" },
      { type: "schedule" as const, cron: "0 * * * *", timezone: "Nowhere/City" },
      { type: "schedule" as const, cron: "0 * * * *", jitter: 1e7 },
      { type: "webhook" as const, endpoint: "/has space", secret: "x" },
      { type: "event" as const, event_type: "has space" },
      { id: "twice", type: "event" as const, event_type: "a" },
      { id: "twice", type: "event" as const, event_type: "b" },
    ],
  };

  it("lists every problem with its code and path", () => {
    expect(triggerProblems(definition).map(({ code, path }) => [code, path])).toEqual([
      ["schedule.bad_cron", "triggers[0].cron"],
      ["schedule.bad_timezone", "triggers[1].timezone"],
      ["schedule.bad_jitter", "triggers[2].jitter"],
      ["subscription.bad_endpoint", "triggers[3].endpoint"],
      ["subscription.bad_pattern", "triggers[4].event_type"],
      ["subscription.duplicate_id", "triggers[6].id"],
    ]);
  });

  it("makes subscriptionsFromTriggers throw the first one", () => {
    expect(() => subscriptionsFromTriggers(definition)).toThrow(
      expect.objectContaining({ code: "schedule.bad_cron", path: "triggers[0].cron" }),
    );
  });
});

describe("endpoints", () => {
  it.each([
    ["/workflow/trigger", "/workflow/trigger"],
    ["workflow/trigger/", "/workflow/trigger"],
    ["//a//b", "/a/b"],
    ["/a b", undefined],
    ["/../etc", undefined],
    ["/v1.2/hook", "/v1.2/hook"],
    ["", undefined],
  ])("normalises %j to %j", (input, expected) => {
    expect(normalizeEndpoint(input)).toBe(expected);
  });

  it("finds the webhook subscriptions of an endpoint", () => {
    const all = [
      ...subscriptionsFromTriggers(loadEventFixture("ci-on-change.yaml")),
      ...subscriptionsFromTriggers(loadEventFixture("deploy-on-push.yaml")),
    ];
    expect(subscriptionsForEndpoint("github", all).map((s) => s.id)).toEqual([
      "ci:on-change#github_push",
      "deploy:on-push#triggers[0]",
    ]);
    expect(subscriptionsForEndpoint("/nothing", all)).toEqual([]);
  });
});

describe("resolveWebhookSecrets", () => {
  const env = { GITHUB_HOOK_SECRET: "new", GITHUB_HOOK_SECRET_PREVIOUS: "old", PREFIX: "whsec_" };

  it("reads {{ env.NAME }} entries, current first, and drops unset ones", () => {
    const list = ["{{ env.GITHUB_HOOK_SECRET }}", "{{ env.GITHUB_HOOK_SECRET_PREVIOUS }}"];
    expect(resolveWebhookSecrets(list, env)).toEqual(["new", "old"]);
    expect(resolveWebhookSecrets(list, { GITHUB_HOOK_SECRET: "new" })).toEqual(["new"]);
    expect(resolveWebhookSecrets("{{ env.MISSING }}", env)).toEqual([]);
  });

  it("takes text without a template as the secret itself", () => {
    expect(resolveWebhookSecrets("literal secret", env)).toEqual(["literal secret"]);
  });

  it("substitutes references inside literal text, on the host", () => {
    expect(resolveWebhookSecrets("{{ env.PREFIX }}abc", env)).toEqual(["whsec_abc"]);
    expect(resolveWebhookSecrets("x-{{env.GITHUB_HOOK_SECRET}}-{{ env.PREFIX }}", env)).toEqual([
      "x-new-whsec_",
    ]);
  });

  it("never evaluates anything else: an expression in a stored definition resolves to no secret", () => {
    expect(resolveWebhookSecrets("{{ env.PREFIX + 'abc' }}", env)).toEqual([]);
    expect(resolveWebhookSecrets("{{ event.x }}", env)).toEqual([]);
    expect(resolveWebhookSecrets(["{{ env['PREFIX'] }}", "{{ env.GITHUB_HOOK_SECRET }}"], env)).toEqual([
      "new",
    ]);
  });

  it("does not read inherited properties of env", () => {
    expect(resolveWebhookSecrets("{{ env.constructor }}", env)).toEqual([]);
  });
});
