/**
 * Property: for random programs of nested conditionals, foreach and while loops with break and
 * continue, the step machine ends in the same state as a direct recursive interpreter written
 * here — and still does when the run is checkpointed (JSON round trip) between transitions.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import type { Evaluator } from "../../../engine/expressions/evaluator.ts";
import { createEvaluator } from "../../../engine/expressions/quickjs-evaluator.ts";
import { loadWorkflow } from "../../../engine/loader/index.ts";
import { startRun, transition } from "../../../engine/machine/index.ts";

type Node =
  | { kind: "add"; amount: number }
  | { kind: "if"; modulo: number; whenTrue: Node[]; whenFalse: Node[] }
  | { kind: "each"; count: number; body: Node[] }
  | { kind: "while"; limit: number; max: number; body: Node[] }
  | { kind: "break"; modulo: number }
  | { kind: "continue"; modulo: number }
  | { kind: "ask" };

function programArbitrary(): fc.Arbitrary<Node[]> {
  const leaf = (inLoop: boolean): fc.Arbitrary<Node> => {
    const options: fc.Arbitrary<Node>[] = [
      fc.record({ kind: fc.constant("add" as const), amount: fc.integer({ min: 1, max: 5 }) }),
      fc.constant({ kind: "ask" as const }),
    ];
    if (inLoop) {
      options.push(
        fc.record({ kind: fc.constant("break" as const), modulo: fc.integer({ min: 2, max: 4 }) }),
      );
      options.push(
        fc.record({ kind: fc.constant("continue" as const), modulo: fc.integer({ min: 2, max: 4 }) }),
      );
    }
    return fc.oneof(...options);
  };
  const nodes = (depth: number, inLoop: boolean): fc.Arbitrary<Node[]> =>
    fc.array(node(depth, inLoop), { minLength: 1, maxLength: 3 });
  const node = (depth: number, inLoop: boolean): fc.Arbitrary<Node> => {
    if (depth <= 0) return leaf(inLoop);
    return fc.oneof(
      { weight: 3, arbitrary: leaf(inLoop) },
      {
        weight: 1,
        arbitrary: fc.record({
          kind: fc.constant("if" as const),
          modulo: fc.integer({ min: 2, max: 3 }),
          whenTrue: nodes(depth - 1, inLoop),
          whenFalse: fc.array(node(depth - 1, inLoop), { maxLength: 2 }),
        }),
      },
      {
        weight: 1,
        arbitrary: fc.record({
          kind: fc.constant("each" as const),
          count: fc.integer({ min: 0, max: 3 }),
          body: nodes(depth - 1, true),
        }),
      },
      {
        weight: 1,
        arbitrary: fc.record({
          kind: fc.constant("while" as const),
          limit: fc.integer({ min: 0, max: 4 }),
          max: fc.integer({ min: 1, max: 4 }),
          body: nodes(depth - 1, true),
        }),
      },
    );
  };
  return nodes(3, false);
}

// ---- the reference interpreter -------------------------------------------------------------

class BreakSignal {}
class ContinueSignal {}

interface Model {
  counter: number;
  log: string[];
}

function interpret(source: Node[]): Model {
  // fast-check may share one object between positions; a copy gives every step its own identity.
  const program = JSON.parse(JSON.stringify(source)) as Node[];
  const model: Model = { counter: 0, log: [] };
  // Ids are assigned in the same depth-first order as `toWorkflow`, before anything runs.
  const ids = new Map<Node, string>();
  const assign = (nodes: Node[]): void => {
    for (const node of nodes) {
      ids.set(node, `s${ids.size}`);
      if (node.kind === "if") {
        assign(node.whenTrue);
        assign(node.whenFalse);
      } else if (node.kind === "each" || node.kind === "while") assign(node.body);
    }
  };
  const run = (nodes: Node[]): void => {
    for (const node of nodes) exec(node);
  };
  /** One pass of a loop body; false when it ended with `break`. */
  const loopPass = (body: Node[]): boolean => {
    try {
      run(body);
    } catch (signal) {
      if (signal instanceof BreakSignal) return false;
      if (signal instanceof ContinueSignal) return true;
      throw signal;
    }
    return true;
  };
  const exec = (node: Node): void => {
    const id = ids.get(node)!;
    switch (node.kind) {
      case "add":
        model.counter += node.amount;
        model.log.push(id);
        return;
      case "ask":
        model.counter += 1;
        model.log.push(`${id}?`);
        return;
      case "if":
        run(model.counter % node.modulo === 0 ? node.whenTrue : node.whenFalse);
        return;
      case "break":
        if (model.counter % node.modulo === 0) throw new BreakSignal();
        return;
      case "continue":
        if (model.counter % node.modulo === 0) throw new ContinueSignal();
        return;
      case "each":
        for (let index = 0; index < node.count; index += 1) {
          if (!loopPass(node.body)) break;
        }
        return;
      case "while": {
        // the condition sees the iteration it is about to allow; max_iterations caps the passes
        for (let iteration = 1; iteration <= node.limit && iteration <= node.max; iteration += 1) {
          if (!loopPass(node.body)) break;
        }
        return;
      }
    }
  };
  assign(program);
  run(program);
  return model;
}

// ---- the same program as a workflow -------------------------------------------------------

function toWorkflow(program: Node[]): string {
  let next = 0;
  const toSteps = (nodes: Node[]): unknown[] =>
    nodes.map((node): unknown => {
      const id = `s${next++}`;
      switch (node.kind) {
        case "add":
          return {
            id,
            type: "set_state",
            state_updates: [
              { path: "this.counter", operation: "increment", value: node.amount },
              { path: "this.log", operation: "append", value: id },
            ],
          };
        case "ask":
          return {
            id,
            type: "mcp_call",
            tool: "count",
            state_updates: [
              { path: "this.counter", operation: "increment", value: "{{ result.by }}" },
              { path: "this.log", operation: "append", value: `${id}?` },
            ],
          };
        case "if":
          return {
            id,
            type: "conditional",
            condition: `{{ this.counter % ${node.modulo} === 0 }}`,
            then_steps: toSteps(node.whenTrue),
            else_steps: toSteps(node.whenFalse),
          };
        case "break":
        case "continue":
          return {
            id,
            type: "conditional",
            condition: `{{ this.counter % ${node.modulo} === 0 }}`,
            then_steps: [{ id: `${id}_${node.kind}`, type: node.kind }],
          };
        case "each":
          return {
            id,
            type: "foreach",
            items: `{{ Array.from({length: ${node.count}}, (_, i) => i) }}`,
            body: toSteps(node.body),
          };
        default: // while
          return {
            id,
            type: "while_loop",
            condition: `{{ loop.iteration <= ${node.limit} }}`,
            max_iterations: node.max,
            body: toSteps(node.body),
          };
      }
    });
  return stringify({
    name: "test:random-program",
    description: "generated",
    version: "1.0.0",
    default_state: { state: { counter: 0, log: [] } },
    steps: [
      ...toSteps(program),
      { id: "end", type: "set_state", state_update: { path: "this.log", operation: "append", value: "end" } },
    ],
  });
}

let evaluator: Evaluator;
beforeAll(async () => {
  evaluator = await createEvaluator();
});
afterAll(() => evaluator.dispose());

describe("step machine against a reference interpreter", () => {
  it("ends in the same state, with a checkpoint (JSON round trip) between every transition", () => {
    fc.assert(
      fc.property(programArbitrary(), (program) => {
        const expected = interpret(program);
        const loaded = loadWorkflow(toWorkflow(program));
        if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
        const context = { now: 0, evaluator };
        let run = startRun(loaded.definition, { id: "wf" }, context).run;
        for (let transitions = 0; run.status === "running" && transitions < 500; transitions += 1) {
          run = JSON.parse(JSON.stringify(run));
          const next = transition(loaded.definition, run, { kind: "next" }, context);
          run = JSON.parse(JSON.stringify(next.run));
          if (next.next.status !== "steps") continue;
          for (const step of next.next.steps) {
            run = transition(
              loaded.definition,
              run,
              { kind: "complete", stepId: step.id, status: "success", result: { by: 1 } },
              context,
            ).run;
          }
        }
        expect(run.status).toBe("completed");
        expect(run.main.state.state).toEqual({ counter: expected.counter, log: [...expected.log, "end"] });
      }),
      { numRuns: 150 },
    );
  });
});
