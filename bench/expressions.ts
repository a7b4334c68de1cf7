/**
 * @module
 * Expression-sandbox benchmark and comparison (docs/decisions/0001-expression-sandbox.md).
 * `benchExpressions()` times the QuickJS evaluator, and @nyariv/sandboxjs for comparison, in
 * µs per operation: a trivial `input * 2`, an `Object.entries(...).filter(...).map(...)` over 50
 * entries, a template with three expressions over a realistic state (and the same template
 * written so the whole state must be copied), a cold compile, building a sandbox, and a property
 * path read by the path shortcut beside the same path through the sandbox.
 * Run directly (`node --experimental-strip-types bench/expressions.ts`) it also checks both
 * candidates against every reference-workflow fixture, runs the escape probes, checks whether
 * endless loops stop (sandboxjs in a worker thread that is terminated after 3 s, since nothing
 * else stops it), and whether host objects reach the sandbox by reference.
 * It must not be imported by engine code; timings are claimed here, never in unit tests.
 */

import os from "node:os";
import { pathToFileURL } from "node:url";
import { isDeepStrictEqual } from "node:util";
import { Worker } from "node:worker_threads";
import { Sandbox } from "@nyariv/sandboxjs";
import { EngineError } from "../engine/errors.ts";
import type { Evaluator } from "../engine/expressions/evaluator.ts";
import { createEvaluator } from "../engine/expressions/quickjs-evaluator.ts";
import { renderTemplate } from "../engine/expressions/template.ts";
import {
  expressionFixtures,
  templateFixtures,
  transformFixtures,
} from "../test/unit/expressions/reference-fixtures.ts";

const SIMPLE = { source: "input * 2", bindings: { input: 21 } };
const ENTRIES = {
  source: "Object.entries(input).filter(([_, result]) => !result.success).map(([file, _]) => file)",
  bindings: {
    input: Object.fromEntries(
      Array.from({ length: 50 }, (_, i) => [`src/file-${i}.ts`, { success: i % 3 !== 0, attempts: i % 4 }]),
    ),
  },
};
/** A progress message over a realistic state: the templates read three small fields of it. */
const TEMPLATE = {
  text: "Processing files... ({{ this.processed_count }}/{{ this.total_files }} complete), {{ this.failed_files.length }} failed",
  bindings: {
    this: {
      git_output: Array.from({ length: 50 }, (_, i) => `src/file-${i}.ts`).join("\n"),
      processing_results: ENTRIES.bindings.input,
      processed_count: 50,
      total_files: 50,
      failed_files: Array.from({ length: 17 }, (_, i) => `src/file-${i * 3}.ts`),
    },
    inputs: { compare_to: "main", commit: "" },
  },
};

/** µs per operation: warms up, then repeats until `minMs` have passed. */
function microsPerOp(operation: () => unknown, minMs = 400): number {
  for (let i = 0; i < 200; i++) operation();
  let runs = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < minMs) {
    for (let i = 0; i < 100; i++) operation();
    runs += 100;
    elapsed = performance.now() - start;
  }
  return round((elapsed * 1000) / runs);
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

/** A sandboxjs evaluator with the same contract: `this` is renamed, expressions are wrapped in `return`. */
function createSandboxjsEvaluator(): Evaluator {
  const sandbox = new Sandbox({ executionQuota: 10_000_000n });
  const compiled = new Map<string, ReturnType<Sandbox["compile"]>>();
  const compile = (source: string) => {
    const renamed = source.replace(/\bthis\b/g, "this_");
    let run = compiled.get(renamed);
    if (run === undefined) {
      try {
        run = sandbox.compile(`return (${renamed}\n);`);
      } catch {
        run = sandbox.compile(renamed);
      }
      compiled.set(renamed, run);
    }
    return run;
  };
  return {
    evaluate(source, bindings) {
      const { this: receiver, ...rest } = bindings;
      return compile(source)({ ...rest, this_: receiver }).run();
    },
    check(source) {
      try {
        compile(source);
      } catch (error) {
        throw new EngineError("expression.syntax", String(error));
      }
    },
    ready: async () => {},
    pollsUsed: 0, // sandboxjs counts no polls: the runner-up is measured for speed only
    dispose() {},
  };
}

/** Timings in µs/op for QuickJS (the choice) and sandboxjs (the runner-up). */
export async function benchExpressions(): Promise<Record<string, number>> {
  const figures: Record<string, number> = {};
  // Includes loading and compiling the wasm when nothing in this process has used QuickJS yet.
  const created = performance.now();
  // sandbox against sandbox: the path shortcut is timed on its own below
  const quickjs = await createEvaluator({ pathShortcut: false });
  figures["quickjs.first_evaluator_us"] = round((performance.now() - created) * 1000);
  const sandboxjs = createSandboxjsEvaluator();
  try {
    for (const [name, evaluator] of [
      ["quickjs", quickjs],
      ["sandboxjs", sandboxjs],
    ] as const) {
      figures[`${name}.simple_us`] = microsPerOp(() => evaluator.evaluate(SIMPLE.source, SIMPLE.bindings));
      figures[`${name}.entries_filter_map_us`] = microsPerOp(() =>
        evaluator.evaluate(ENTRIES.source, ENTRIES.bindings),
      );
      figures[`${name}.template_3_expressions_us`] = microsPerOp(() =>
        renderTemplate(TEMPLATE.text, (source) => evaluator.evaluate(source, TEMPLATE.bindings)),
      );
    }
    const wholeState = TEMPLATE.text.replace(/this\.(\w+)/g, "((s) => s.$1)(this)");
    figures["quickjs.template_3_expressions_whole_state_us"] = microsPerOp(() =>
      renderTemplate(wholeState, (source) => quickjs.evaluate(source, TEMPLATE.bindings)),
    );
    let counter = 0;
    figures["quickjs.cold_compile_simple_us"] = microsPerOp(
      () => quickjs.evaluate(`input * ${++counter}`, SIMPLE.bindings),
      200,
    );
    // the sandbox is built on the first evaluation the path shortcut cannot answer
    figures["quickjs.new_sandbox_us"] = round(
      await timeAsync(async () => {
        const fresh = await createEvaluator();
        fresh.evaluate("1 + 1", {});
        fresh.dispose();
      }, 50),
    );
    const withShortcut = await createEvaluator();
    try {
      figures["quickjs.path_shortcut_us"] = microsPerOp(() =>
        withShortcut.evaluate("this.total_files", TEMPLATE.bindings),
      );
      figures["quickjs.path_sandbox_us"] = microsPerOp(() =>
        quickjs.evaluate("this.total_files", TEMPLATE.bindings),
      );
      figures["quickjs.template_3_expressions_shortcut_us"] = microsPerOp(() =>
        renderTemplate(TEMPLATE.text, (source) => withShortcut.evaluate(source, TEMPLATE.bindings)),
      );
    } finally {
      withShortcut.dispose();
    }
  } finally {
    quickjs.dispose();
    sandboxjs.dispose();
  }
  return figures;
}

async function timeAsync(operation: () => Promise<void>, runs: number): Promise<number> {
  await operation();
  const start = performance.now();
  for (let i = 0; i < runs; i++) await operation();
  return ((performance.now() - start) * 1000) / runs;
}

/** What a candidate got right, and what it let through. */
export interface CandidateReport {
  name: string;
  fixturesCorrect: number;
  fixturesTotal: number;
  failedFixtures: string[];
  escapes: Record<string, string>;
  loops: Record<string, string>;
  memory: string;
  bindingsByReference: boolean;
}

const ESCAPE_PROBES: Record<string, string> = {
  "[].filter.constructor": "[]['fil' + 'ter']['constr' + 'uctor']('return typeof process')()",
  "this.constructor.constructor": "this['constr' + 'uctor']['constr' + 'uctor']('return typeof process')()",
  "generator constructor":
    "Object.getPrototypeOf(function* () {})['constr' + 'uctor']('yield typeof process')().next().value",
  "sloppy this": "(function () { return typeof this.process })()",
  "Object.prototype pollution": "(({})['__pro' + 'to__']).polluted = 'yes'",
};
const LOOP_PROBES = ["while (true) {}", "(() => { for (;;) {} })()"];

export async function compareSandboxes(): Promise<CandidateReport[]> {
  const quickjs = await createEvaluator();
  try {
    return [
      await reportFor("quickjs", quickjs, (source) => timedInProcess(quickjs, source)),
      await reportFor("sandboxjs", createSandboxjsEvaluator(), (source) => timedInWorker(source)),
    ];
  } finally {
    quickjs.dispose();
  }
}

async function reportFor(
  name: string,
  evaluator: Evaluator,
  runBounded: (source: string) => Promise<string>,
): Promise<CandidateReport> {
  const failedFixtures: string[] = [];
  const cases = [
    ...[...transformFixtures, ...expressionFixtures].map((f) => ({
      from: f.from,
      expected: f.expected,
      run: () => evaluator.evaluate(f.source, f.bindings),
    })),
    ...templateFixtures.map((f) => ({
      from: f.from,
      expected: f.expected,
      run: () => renderTemplate(f.text, (source) => evaluator.evaluate(source, f.bindings)),
    })),
  ];
  for (const fixture of cases) {
    try {
      const value = fixture.run();
      if (!isDeepStrictEqual(JSON.parse(JSON.stringify(value ?? null)), fixture.expected ?? null)) {
        failedFixtures.push(fixture.from);
      }
    } catch {
      failedFixtures.push(fixture.from);
    }
  }
  const escapes: Record<string, string> = {};
  for (const [probe, source] of Object.entries(ESCAPE_PROBES)) {
    try {
      const value = evaluator.evaluate(source, { this: { counter: 1 } });
      const polluted = (Object.prototype as Record<string, unknown>).polluted !== undefined;
      escapes[probe] =
        value === "object" || polluted ? "ESCAPED" : `contained (returned ${JSON.stringify(value)})`;
    } catch (error) {
      escapes[probe] = `blocked: ${error instanceof Error ? error.message.slice(0, 70) : String(error)}`;
    }
  }
  const loops: Record<string, string> = {};
  for (const source of LOOP_PROBES) loops[source] = await runBounded(source);
  const memory = await runBounded("'x'.repeat(1e9).length");
  const list = [1, 2, 3];
  try {
    evaluator.evaluate("input.push(4)", { input: list });
  } catch {
    // Only whether the caller's array changed matters.
  }
  return {
    name,
    fixturesCorrect: cases.length - failedFixtures.length,
    fixturesTotal: cases.length,
    failedFixtures,
    escapes,
    loops,
    memory,
    bindingsByReference: list.length !== 3,
  };
}

async function timedInProcess(evaluator: Evaluator, source: string): Promise<string> {
  const start = performance.now();
  try {
    evaluator.evaluate(source, {});
    return `finished in ${round(performance.now() - start)} ms`;
  } catch (error) {
    const code = (error as { code?: string }).code ?? String(error);
    return `stopped after ${round(performance.now() - start)} ms (${code})`;
  }
}

/** sandboxjs runs on the host's own engine: a runaway evaluation can only be killed with its thread. */
function timedInWorker(source: string, limitMs = 3000): Promise<string> {
  const sandboxUrl = import.meta.resolve("@nyariv/sandboxjs");
  const code = `
    const { parentPort, workerData } = require("node:worker_threads");
    import(workerData.sandboxUrl).then(({ Sandbox }) => {
      const sandbox = new Sandbox({ executionQuota: 10000000n });
      const start = performance.now();
      try {
        sandbox.compile(workerData.source)({}).run();
        parentPort.postMessage("finished in " + Math.round(performance.now() - start) + " ms");
      } catch (error) {
        parentPort.postMessage("stopped after " + Math.round(performance.now() - start) + " ms (" + String(error.message).slice(0, 40) + ")");
      }
    });`;
  return new Promise((resolve) => {
    const worker = new Worker(code, {
      eval: true,
      workerData: { source, sandboxUrl },
      resourceLimits: { maxOldGenerationSizeMb: 256 },
    });
    const timer = setTimeout(() => {
      void worker.terminate();
      resolve(`NOT stopped: thread killed after ${limitMs} ms`);
    }, limitMs);
    worker.once("message", (message: string) => {
      clearTimeout(timer);
      void worker.terminate();
      resolve(message);
    });
    worker.once("error", (error: Error) => {
      clearTimeout(timer);
      resolve(`worker failed: ${error.message.slice(0, 60)}`);
    });
  });
}

export function machineDescription(): string {
  const cpus = os.cpus();
  return `${cpus.length} cores (${cpus[0]?.model.trim() ?? "unknown cpu"}), Node ${process.version}, ${os.platform()} ${os.arch()}`;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(`expression sandboxes, ${new Date().toISOString()}, ${machineDescription()}\n`);
  const figures = await benchExpressions();
  for (const [name, value] of Object.entries(figures)) console.log(`${name.padEnd(40)} ${value}`);
  for (const report of await compareSandboxes()) {
    console.log(`\n== ${report.name}`);
    console.log(JSON.stringify(report, null, 2));
  }
}
