/**
 * @module
 * Matching cost at many subscriptions (issue 16, "Cost growth"), in Node, free of the HTTP noise
 * of the `scale` scenario: µs per `matchEvent` of one file_change event against 1, 100 and 1,000
 * file_change subscriptions, each with its own glob and a filter that drops everything (one is a
 * candidate, so one filter runs). Baseline, in the same run: the candidate check as it was before
 * (every subscription's globs looked up by `JSON.stringify` in the shared 512-entry cache of
 * `compileFilePatterns`, which 1,000 globs used round robin empty for every event, so each one is
 * compiled again), with the same one filter evaluated.
 */
import type { TriggerEvent } from "../engine/events/event.ts";
import { compileFilePatterns } from "../engine/events/file-pattern.ts";
import { matchEvent } from "../engine/events/matching.ts";
import type { Subscription } from "../engine/events/subscription.ts";
import type { Evaluator } from "../engine/expressions/evaluator.ts";
import { createEvaluator } from "../engine/expressions/quickjs-evaluator.ts";
import { type BenchSection, type Figure, round, withBaseline } from "./report.ts";

const SIZES = [1, 100, 1_000];

function subscriptions(count: number): Subscription[] {
  return Array.from({ length: count }, (_, i) => ({
    id: `bench:filler#triggers[${i}]`,
    workflow: "bench:filler",
    event_pattern: "file_change",
    filter: "path.length > 1000",
    trigger: { type: "file_change", pattern: `src/mod-${i}/**/*.ts` },
  }));
}

function fileEvent(n: number): TriggerEvent {
  return {
    id: `fc-${n}`,
    type: "file_change",
    source: "bench",
    payload: { path: `src/mod-0/f${n}.ts`, change: "modified" },
    receivedAt: 0,
  };
}

/** The old candidate check for file_change subscriptions, then the one filter, as before the change. */
function matchAsBefore(event: TriggerEvent, list: Subscription[], evaluator: Evaluator): number {
  const path = (event.payload as { path: string }).path;
  let candidates = 0;
  for (const subscription of list) {
    const trigger = subscription.trigger;
    if (trigger?.type !== "file_change") continue;
    if (!compileFilePatterns(trigger.pattern)(path)) continue;
    candidates += 1;
    evaluator.evaluate(subscription.filter!, { path });
  }
  return candidates;
}

function usPer(work: (n: number) => void, minMs = 300): number {
  for (let n = 0; n < 20; n++) work(n);
  let runs = 0;
  const started = performance.now();
  while (performance.now() - started < minMs) work(runs++);
  return ((performance.now() - started) * 1000) / runs;
}

export async function benchMatching(): Promise<BenchSection> {
  const evaluator = await createEvaluator();
  const figures: Record<string, Figure> = {};
  try {
    // the sandbox and the code warm before the first figure
    usPer((n) => matchEvent(fileEvent(n), subscriptions(10), evaluator));
    for (const size of SIZES) {
      const list = subscriptions(size);
      const before = usPer((n) => matchAsBefore(fileEvent(n), list, evaluator));
      const after = usPer((n) => matchEvent(fileEvent(n), list, evaluator));
      figures[`match_file_event_${size}_subscriptions`] = {
        ...withBaseline(round(after, 1), "µs/event", {
          name: "globs looked up per event in the shared cache (before)",
          value: round(before, 1),
          unit: "µs",
        }),
        note: `${size} file_change subscriptions, one a candidate whose filter runs`,
      };
    }
  } finally {
    evaluator.dispose();
  }
  return { name: "subscription matching at 1, 100 and 1,000 subscriptions", figures };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { printSection } = await import("./report.ts");
  const { useMeteredQuickJS } = await import("../cli/metered-quickjs.ts");
  await useMeteredQuickJS();
  printSection(await benchMatching());
}
