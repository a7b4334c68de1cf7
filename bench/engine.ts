/**
 * @module
 * Step-machine benchmark: a 1,000-step linear workflow driven to completion, once with server-side
 * steps only (one transition runs them all) and once with client steps an agent completes one by
 * one (two transitions per step, each a full checkpointable state). The baseline is one sandbox
 * evaluation of a trivial expression in the same process.
 */
import type { WorkflowDefinition } from "../engine/dialect/index.ts";
import type { Evaluator } from "../engine/expressions/evaluator.ts";
import { createEvaluator } from "../engine/expressions/quickjs-evaluator.ts";
import { loadWorkflow } from "../engine/loader/index.ts";
import { startRun, transition } from "../engine/machine/index.ts";
import { type BenchSection, round, withBaseline } from "./report.ts";

const STEPS = 1_000;

export async function benchEngine(): Promise<BenchSection> {
  const evaluator = await createEvaluator();
  try {
    const baselineUs = timePerOp(() => evaluator.evaluate("1 + 1", {}), 2_000);
    const baseline = { name: "one sandbox evaluation of `1 + 1`", value: round(baselineUs), unit: "µs" };
    const server = linearWorkflow("set_state");
    const client = linearWorkflow("mcp_call");
    const serverMs = median(5, () => runServerSide(server, evaluator));
    const clientMs = median(3, () => driveClientSide(client, evaluator));
    return {
      name: "step machine (1,000-step linear workflows)",
      figures: {
        server_steps_total: {
          value: round(serverMs),
          unit: "ms",
          note: `${STEPS} set_state steps with a template each`,
        },
        server_step: withBaseline(round((serverMs * 1000) / STEPS), "µs/step", baseline),
        client_steps_total: {
          value: round(clientMs),
          unit: "ms",
          note: `${STEPS} mcp_call steps, each handed out and completed (2 transitions)`,
        },
        client_step: withBaseline(round((clientMs * 1000) / STEPS), "µs/step", baseline),
      },
    };
  } finally {
    evaluator.dispose();
  }
}

function linearWorkflow(type: "set_state" | "mcp_call"): WorkflowDefinition {
  const lines = [
    `name: "bench:linear-${type}"`,
    'description: "benchmark"',
    'version: "1.0.0"',
    "default_state:",
    "  state:",
    "    counter: 0",
    "state_schema:",
    "  computed:",
    "    doubled:",
    '      from: "this.counter"',
    '      transform: "input * 2"',
    "steps:",
  ];
  for (let i = 0; i < STEPS; i += 1) {
    lines.push(`  - id: "step_${i}"`, `    type: "${type}"`);
    if (type === "mcp_call") lines.push('    tool: "noop"', '    parameters: { n: "{{ this.counter }}" }');
    lines.push('    state_update: { path: "this.counter", operation: "increment", value: "{{ 1 }}" }');
  }
  const result = loadWorkflow(lines.join("\n"));
  if (!result.ok)
    throw new Error(`bench workflow does not load: ${JSON.stringify(result.errors.slice(0, 3))}`);
  return result.definition;
}

function runServerSide(definition: WorkflowDefinition, evaluator: Evaluator): void {
  // the machine's own cost per step: the work slice lifted, so the run ends in one transition
  const context = { now: 0, evaluator, sliceUnits: Number.POSITIVE_INFINITY };
  const { run } = startRun(definition, { id: "bench" }, context);
  if (run.status !== "completed" || run.main.state.computed.doubled !== STEPS * 2) {
    throw new Error(`server-side run ended ${run.status} with ${JSON.stringify(run.main.state.computed)}`);
  }
}

function driveClientSide(definition: WorkflowDefinition, evaluator: Evaluator): void {
  const context = { now: 0, evaluator };
  let { run } = startRun(definition, { id: "bench" }, context);
  for (;;) {
    const next = transition(definition, run, { kind: "next" }, context);
    run = next.run;
    if (next.next.status !== "steps") break;
    const step = next.next.steps[0]!;
    run = transition(
      definition,
      run,
      { kind: "complete", stepId: step.id, status: "success", result: {} },
      context,
    ).run;
  }
  if (run.status !== "completed" || run.main.state.state.counter !== STEPS) {
    throw new Error(`client-side run ended ${run.status} at counter ${String(run.main.state.state.counter)}`);
  }
}

function timePerOp(op: () => void, count: number): number {
  for (let i = 0; i < count / 10; i += 1) op();
  const start = performance.now();
  for (let i = 0; i < count; i += 1) op();
  return ((performance.now() - start) * 1000) / count;
}

/** Median wall time of `times` runs, after one warm-up run. */
function median(times: number, op: () => void): number {
  op();
  const samples: number[] = [];
  for (let i = 0; i < times; i += 1) {
    const start = performance.now();
    op();
    samples.push(performance.now() - start);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)]!;
}
