/**
 * @module
 * Event-intake benchmark (issue 5): µs per webhook signature verification for each scheme (a
 * 1 KiB body, the current secret; and Standard Webhooks with the rotated-out secret matching,
 * the worst case of a rotation), µs per `matchEvent` against 1 and 100 subscriptions with
 * filters and mappings, and µs per `dueFires` on a UTC and a New York schedule. Baselines,
 * measured in the same run: one HMAC-SHA256 of the same 1 KiB body with an imported key (what
 * a verification cannot beat), and one sandbox evaluation of `1 + 1` (what a filter costs at
 * least). It must not be imported by engine code; timings are claimed here, never in unit tests.
 */
import { dueFires } from "../engine/events/cron.ts";
import type { TriggerEvent } from "../engine/events/event.ts";
import { matchEvent } from "../engine/events/matching.ts";
import { signWebhook, verifyWebhook, type WebhookScheme } from "../engine/events/signatures/index.ts";
import type { Subscription } from "../engine/events/subscription.ts";
import { createEvaluator } from "../engine/expressions/quickjs-evaluator.ts";
import { type BenchSection, type Figure, round, withBaseline } from "./report.ts";

const NOW = Date.UTC(2026, 0, 15, 12, 0, 0);
const BODY = new TextEncoder().encode(
  JSON.stringify({ ref: "refs/heads/main", padding: "x".repeat(1024) })
    .slice(0, 1024 - 2)
    .concat('"}'),
);
const SECRETS: Record<WebhookScheme, [string, string]> = {
  standard: ["whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD"],
  github: ["a GitHub secret", "the previous GitHub secret"],
  stripe: ["whsec_stripe_current", "whsec_stripe_previous"],
};

export async function benchEvents(): Promise<BenchSection> {
  // Warm WebCrypto (Node runs it on the libuv thread pool) before the baseline is taken.
  for (const scheme of ["standard", "github", "stripe"] as const) await verifyUs(scheme, 0, 500);
  const hmacUs = await hmacBaseline();
  const hmac = { name: "one HMAC-SHA256 of 1 KiB (key imported)", value: round(hmacUs), unit: "µs" };
  const figures: Record<string, Figure> = {};
  for (const scheme of ["standard", "github", "stripe"] as const) {
    figures[`verify_${scheme}_1kib`] = withBaseline(round(await verifyUs(scheme, 0)), "µs/op", hmac);
  }
  figures.verify_standard_rotated_secret = {
    ...withBaseline(round(await verifyUs("standard", 1)), "µs/op", hmac),
    note: "signed with the old secret, listed second: two HMACs",
  };

  const evaluator = await createEvaluator();
  try {
    const evalUs = await microsPerOp(async () => evaluator.evaluate("1 + 1", {}), 5_000);
    const sandbox = { name: "one sandbox evaluation of `1 + 1`", value: round(evalUs), unit: "µs" };
    const event: TriggerEvent = {
      id: "e1",
      type: "file_change",
      source: "repo",
      payload: { path: "src/lib/module-7.ts", change: "modified" },
      receivedAt: NOW,
    };
    const one = subscriptions(1);
    const hundred = subscriptions(100);
    check(matchEvent(event, hundred, evaluator).length === 100, "all 100 subscriptions should be candidates");
    figures.match_1_subscription = withBaseline(
      round(await microsPerOp(async () => matchEvent(event, one, evaluator), 3_000)),
      "µs/event",
      sandbox,
    );
    const hundredUs = await microsPerOp(async () => matchEvent(event, hundred, evaluator), 100);
    figures.match_100_subscriptions = {
      ...withBaseline(round(hundredUs), "µs/event", sandbox),
      target: "part of event-to-start p50 < 5 ms",
      note: "each: file_change glob, filter, one mapping",
    };
    figures.match_per_subscription = withBaseline(round(hundredUs / 100), "µs/subscription", sandbox);
  } finally {
    evaluator.dispose();
  }

  for (const [name, timezone] of [
    ["due_fires_utc", "UTC"],
    ["due_fires_new_york", "America/New_York"],
  ] as const) {
    const schedule = { id: `bench#${name}`, cron: "*/5 * * * *", timezone, jitterSeconds: 30 };
    const us = await microsPerOp(async () => {
      dueFires(schedule, { lastFiredAt: NOW - 300_000, now: NOW + 60_000 });
    }, 2_000);
    figures[name] = { value: round(us), unit: "µs/call", note: "one due fire, catchup latest" };
  }
  return { name: "events (signatures, matching, schedules)", figures };
}

async function hmacBaseline(): Promise<number> {
  const key = await crypto.subtle.importKey(
    "raw",
    new TextEncoder().encode("a GitHub secret"),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  return microsPerOp(() => crypto.subtle.sign("HMAC", key, BODY), 5_000);
}

async function verifyUs(scheme: WebhookScheme, signingSecret: 0 | 1, count = 5_000): Promise<number> {
  const headers = await signWebhook({
    scheme,
    secret: SECRETS[scheme][signingSecret],
    body: BODY,
    now: NOW,
    id: "msg_1",
  });
  const options = { scheme, secrets: SECRETS[scheme], headers, body: BODY, now: NOW };
  const result = await verifyWebhook(options);
  check(result.ok, `${scheme} verification should pass: ${JSON.stringify(result)}`);
  return microsPerOp(() => verifyWebhook(options), count);
}

/** `count` file-change subscriptions, all candidates for `src/lib/module-7.ts`, none filtered out. */
function subscriptions(count: number): Subscription[] {
  return Array.from({ length: count }, (_, i) => ({
    id: `bench:flow-${i}#triggers[0]`,
    workflow: `bench:flow-${i}`,
    event_pattern: "file_change",
    filter: `!path.includes('test') && change !== 'deleted' && ${i} >= 0`,
    inputs_mapping: { path: "{{ event.path }}" },
    trigger: { type: "file_change" as const, pattern: i % 2 === 0 ? "**/*.ts" : ["src/**", "!**/*.md"] },
  }));
}

/** µs per call of `op` (awaited one at a time), after a warm-up of a tenth of `count`. */
async function microsPerOp(op: () => unknown, count: number): Promise<number> {
  for (let i = 0; i < Math.max(1, count / 10); i++) await op();
  const start = performance.now();
  for (let i = 0; i < count; i++) await op();
  return ((performance.now() - start) * 1000) / count;
}

function check(condition: boolean, message: string): void {
  if (!condition) throw new Error(`bench/events: ${message}`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { printSection } = await import("./report.ts");
  printSection(await benchEvents());
}
