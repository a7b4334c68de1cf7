/**
 * @module
 * Properties of the scheduler on random DAGs (fast-check): random sizes up to 250 tasks, shuffled
 * declaration order, priorities with many ties, every trigger rule, conditions that hold, fail
 * or throw, failures with retries, `for_each` fan-outs, any `parallelLimit`, agents that
 * complete in random order, release claims, and evictions (the run rebuilt from the rows written
 * back from each call's `changed` records). Checked at every step:
 * - each claim hands out exactly the best ready tasks (priority, then declaration order) the
 *   limit allows: so the highest priority starts first and the limit is never exceeded;
 * - no task starts before its trigger rule is met by finished upstream tasks;
 * - no task runs more often than its retries allow, or after it has ended;
 * and at the end, every task (branches included) ends as the naive reference model says. A
 * third property adds random tasks and edges while the graph runs (refusals must be real
 * cycles) and compares with the reference model of the final graph.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  addTasks,
  claimReady,
  completeTask,
  createGraphRun,
  type GraphEdge,
  type GraphHooks,
  type GraphRunState,
  isFinal,
  isGraphFinished,
  releaseTask,
  restoreGraphRun,
  type TaskGraph,
  type TaskRecord,
  type TaskSpec,
  type TriggerRule,
  validateAddition,
} from "../../../engine/graph/index.ts";
import { type ReferenceTask, referenceEndings } from "./reference-model.ts";

const RULES: TriggerRule[] = [
  "all_success",
  "all_done",
  "one_success",
  "one_failed",
  "none_failed",
  "all_failed",
];

interface Scenario {
  graph: TaskGraph;
  reference: ReferenceTask[];
  parallelLimit: number;
  seed: number;
}

const taskArbitrary = fc.record({
  parents: fc.array(fc.nat(), { maxLength: 4 }),
  priority: fc.integer({ min: -2, max: 2 }),
  rule: fc.oneof(
    { weight: 3, arbitrary: fc.constant<TriggerRule>("all_success") },
    { weight: 4, arbitrary: fc.constantFrom(...RULES) },
  ),
  condition: fc.constantFrom<("literal" | "true" | "false" | "throws" | "none")[]>(
    ["none"],
    ["none"],
    ["literal"],
    ["true"],
    ["false"],
    ["true", "throws"],
  ),
  literal: fc.boolean(),
  failures: fc.integer({ min: 0, max: 2 }),
  retries: fc.integer({ min: 0, max: 1 }),
  fanOut: fc.option(fc.array(fc.integer({ min: 0, max: 2 }), { maxLength: 3 }), { freq: 8 }),
});

const scenarioArbitrary: fc.Arbitrary<Scenario> = fc
  .integer({ min: 1, max: 250 })
  .chain((size) =>
    fc.record({
      tasks: fc.array(taskArbitrary, { minLength: size, maxLength: size }),
      order: fc.shuffledSubarray(
        Array.from({ length: size }, (_, i) => i),
        { minLength: size, maxLength: size },
      ),
      parallelLimit: fc.integer({ min: 1, max: 8 }),
      seed: fc.integer(),
    }),
  )
  .map(({ tasks, order, parallelLimit, seed }) => {
    // task k (in topological numbering) may need tasks numbered below k; declared in `order`
    const name = (k: number) => `t${k}`;
    const specs: TaskSpec[] = [];
    const reference: ReferenceTask[] = [];
    for (const k of order) {
      const task = tasks[k]!;
      const needs = k === 0 ? [] : [...new Set(task.parents.map((p) => name(p % k)))];
      const when = task.condition
        .filter((kind) => kind !== "none")
        .map((kind) => (kind === "literal" ? task.literal : kind));
      const conditionFalse =
        task.condition.includes("throws") || when.includes("false") || when.includes(false);
      specs.push({
        id: name(k),
        needs,
        when,
        priority: task.priority,
        triggerRule: task.rule,
        retries: task.retries,
        ...(task.fanOut === null ? {} : { forEach: task.fanOut.map((_, i) => i) }),
      });
      reference.push({
        id: name(k),
        needs,
        rule: task.rule,
        condition: task.condition.includes("throws") ? "throws" : conditionFalse ? "false" : "true",
        retries: task.retries,
        failures: task.failures,
        ...(task.fanOut === null ? {} : { branches: task.fanOut }),
      });
    }
    return { graph: { tasks: specs }, reference, parallelLimit, seed };
  });

const hooks: GraphHooks = {
  evaluateCondition(_task, source) {
    if (source === "throws") throw new Error("condition failed to evaluate");
    return source === "true";
  },
};

function random(seed: number): () => number {
  let value = seed | 0;
  return () => {
    value = (value + 0x6d2b79f5) | 0;
    let mixed = Math.imul(value ^ (value >>> 15), 1 | value);
    mixed = (mixed + Math.imul(mixed ^ (mixed >>> 7), 61 | mixed)) ^ mixed;
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function ruleMet(task: TaskRecord, state: GraphRunState): boolean {
  const upstream = task.needs.map((need) => state.tasks[need]!.status);
  if (upstream.length === 0) return true;
  const failed = (status: string) => status === "failed" || status === "upstream_failed";
  switch (task.triggerRule) {
    case "one_success":
      return upstream.includes("success");
    case "one_failed":
      return upstream.some(failed);
    default:
      return upstream.every(isFinal);
  }
}

function better(a: TaskRecord, b: TaskRecord): number {
  return b.priority - a.priority || a.index - b.index;
}

function simulate(scenario: Scenario, dynamic = false): void {
  const { graph, parallelLimit, seed } = scenario;
  // copies: additions change the model, and fast-check may replay the scenario while shrinking
  const reference = scenario.reference.map((task) => ({ ...task, needs: [...task.needs] }));
  const next = random(seed);
  const plan = new Map(reference.map((task) => [task.id, task]));
  let added = 0;
  const plannedFailures = (task: TaskRecord): number => {
    if (task.parent === undefined) return plan.get(task.id)!.failures;
    const parent = plan.get(task.id.slice(0, task.id.indexOf("[")))!;
    return parent.branches![Number(task.id.slice(task.id.indexOf("[") + 1, -1))]!;
  };
  let now = 0;
  let state = createGraphRun(graph, { hooks, now });
  const rows = new Map<number, string>();
  const write = (records: readonly TaskRecord[]) => {
    for (const record of records) rows.set(record.index, JSON.stringify(record));
  };
  write(state.tasks);
  const running: string[] = [];
  const claims = new Map<string, number>();
  const releases = new Map<string, number>();
  const completions = new Map<string, number>();

  for (let step = 0; step < 20_000; step++) {
    now += 1;
    if (dynamic && next() < 0.1) {
      const addition = randomAddition(state, next, `d${added++}`);
      const problems = validateAddition(state, addition.tasks, addition.edges);
      if (problems.length > 0) {
        // the only thing that can be wrong with these additions is a cycle through the edge
        expect(problems.map((problem) => problem.code)).toEqual(["graph.dynamic_cycle"]);
        expect(reaches(state, addition.edges[0]!.to, addition.needs)).toBe(true);
      } else {
        write(addTasks(state, addition.tasks, addition.edges, { hooks, now }).changed);
        reference.push(addition.reference);
        plan.set(addition.reference.id, addition.reference);
        for (const edge of addition.edges) plan.get(edge.to)!.needs.push(edge.from);
      }
    }
    const roll = next();
    if (running.length === 0 || roll < 0.45) {
      const ready = state.tasks.filter((task) => task.status === "ready").sort(better);
      const limit = 1 + Math.floor(next() * 3);
      const room = Math.max(0, Math.min(limit, parallelLimit - running.length));
      const result = claimReady(state, { parallelLimit, limit, now });
      write(result.changed);
      expect(result.claimed.map((task) => task.id)).toEqual(ready.slice(0, room).map((task) => task.id));
      expect(state.claimed).toBeLessThanOrEqual(parallelLimit);
      for (const task of result.claimed) {
        const owner = task.parent === undefined ? task : state.tasks[task.parent]!;
        expect(ruleMet(owner, state), `${task.id} started before its trigger rule was met`).toBe(true);
        const count = (claims.get(task.id) ?? 0) + 1;
        claims.set(task.id, count);
        expect(count).toBeLessThanOrEqual(1 + task.retries + (releases.get(task.id) ?? 0));
        running.push(task.id);
      }
      if (result.claimed.length === 0 && running.length === 0) break;
    } else if (roll < 0.9) {
      const [id] = running.splice(Math.floor(next() * running.length), 1);
      const task = state.tasks.find((record) => record.id === id)!;
      const done = completions.get(id!) ?? 0;
      completions.set(id!, done + 1);
      const outcome = done < plannedFailures(task) ? ("failed" as const) : ("success" as const);
      write(
        completeTask(state, id!, { status: outcome, result: { id } }, { hooks, now, attempt: task.attempts })
          .changed,
      );
    } else if (roll < 0.95) {
      const [id] = running.splice(Math.floor(next() * running.length), 1);
      releases.set(id!, (releases.get(id!) ?? 0) + 1);
      write(releaseTask(state, id!).changed);
    } else {
      state = restoreGraphRun([...rows.values()].map((row) => JSON.parse(row) as TaskRecord));
    }
  }

  expect(isGraphFinished(state)).toBe(true);
  expect([...rows.values()]).toEqual(state.tasks.map((record) => JSON.stringify(record)));
  const expected = referenceEndings(reference);
  const actual = new Map(state.tasks.map((task) => [task.id, task.status as string]));
  expect(Object.fromEntries(actual)).toEqual(Object.fromEntries(expected));
  for (const task of state.tasks) {
    const ran = completions.get(task.id) ?? 0;
    expect(ran, task.id).toBeLessThanOrEqual(1 + task.retries);
  }
}

interface RandomAddition {
  tasks: Record<string, unknown>;
  edges: GraphEdge[];
  needs: string[];
  reference: ReferenceTask;
}

/** One new task needing up to two existing tasks, and maybe an edge from it into a task not yet started. */
function randomAddition(state: GraphRunState, next: () => number, id: string): RandomAddition {
  const tasks = state.tasks.filter((task) => task.origin !== "branch");
  const pick = (from: TaskRecord[]) => from[Math.floor(next() * from.length)]!;
  const needs = [...new Set([pick(tasks).id, pick(tasks).id].slice(0, 1 + Math.floor(next() * 2)))];
  const rule = RULES[Math.floor(next() * RULES.length)]!;
  const failures = Math.floor(next() * 2);
  const open = tasks.filter((task) => task.status === "waiting" || task.status === "ready");
  const edges = open.length > 0 && next() < 0.6 ? [{ from: id, to: pick(open).id }] : [];
  return {
    tasks: { [id]: { needs, trigger_rule: rule, priority: Math.floor(next() * 5) - 2 } },
    edges,
    needs,
    reference: { id, needs: [...needs], rule, condition: "true", retries: 0, failures },
  };
}

/** Naively: does `target` lead (through dependents) to any of `names`? */
function reaches(state: GraphRunState, target: string, names: readonly string[]): boolean {
  const goal = new Set(names);
  const seen = new Set<string>();
  const pending = [target];
  while (pending.length > 0) {
    const id = pending.pop()!;
    if (goal.has(id)) return true;
    if (seen.has(id)) continue;
    seen.add(id);
    const index = state.tasks.findIndex((task) => task.id === id);
    for (const task of state.tasks) if (task.needs.includes(index)) pending.push(task.id);
  }
  return false;
}

describe("scheduler properties on random DAGs", () => {
  it("claims in order within the limit, respects trigger rules, and ends as the reference model", () => {
    fc.assert(
      fc.property(scenarioArbitrary, (scenario) => simulate(scenario)),
      { numRuns: 150 },
    );
  });

  it("with tasks and edges added while it runs, still ends as the reference model of the final graph", () => {
    const small = scenarioArbitrary.filter((scenario) => scenario.graph.tasks.length <= 80);
    fc.assert(
      fc.property(small, (scenario) => simulate(scenario, true)),
      { numRuns: 150 },
    );
  });

  it("a wide graph with every task ready: the limit caps claims and priority decides", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: -5, max: 5 }), { minLength: 1, maxLength: 300 }),
        fc.integer({ min: 1, max: 20 }),
        (priorities, parallelLimit) => {
          const tasks: TaskSpec[] = priorities.map((priority, i) => ({
            id: `t${i}`,
            needs: [],
            when: [],
            priority,
            triggerRule: "all_success",
            retries: 0,
          }));
          const state = createGraphRun({ tasks }, { hooks, now: 0 });
          const order: string[] = [];
          for (;;) {
            const { claimed } = claimReady(state, { parallelLimit, now: 1 });
            expect(state.claimed).toBeLessThanOrEqual(parallelLimit);
            if (claimed.length === 0) break;
            for (const task of claimed) {
              order.push(task.id);
              completeTask(state, task.id, { status: "success" }, { hooks, now: 2 });
            }
          }
          const expected = tasks
            .map((task, index) => ({ ...task, index }))
            .sort((a, b) => b.priority - a.priority || a.index - b.index)
            .map((task) => task.id);
          expect(order).toEqual(expected);
        },
      ),
      { numRuns: 100 },
    );
  });
});
