/**
 * @module
 * Computed fields may read other computed fields, but not in a cycle (`loader.computed_cycle`,
 * the message names it: `a → b → a`). A field depends on `this.x`, `computed.x` or `state.x` in
 * its `from` when `x` is a computed field, and on bare names inside `{{ }}` templates of `from`.
 */
import { errorFinding, type Finding } from "../diagnostic.ts";
import { isPlainRecord } from "../step-walk.ts";
import type { YamlPath } from "../yaml-path.ts";

const TEMPLATE = /\{\{([\s\S]*?)\}\}/g;
/** A scoped reference `this.x` / `computed.x` / `state.x` anywhere in a path or expression. */
const SCOPED_REFERENCE = /(?<![\w$.])(?:this|computed|state)\.([A-Za-z_$][\w$]*)/g;
/** A bare name (not a property access) inside an expression. */
const BARE_NAME = /(?<![\w$.])([A-Za-z_$][\w$]*)/g;

/** The computed fields a `from` entry reads, among `names`. */
export function computedReferences(from: string, names: ReadonlySet<string>): string[] {
  const found = new Set<string>();
  for (const match of from.matchAll(SCOPED_REFERENCE)) if (names.has(match[1]!)) found.add(match[1]!);
  for (const template of from.matchAll(TEMPLATE)) {
    for (const match of template[1]!.matchAll(BARE_NAME)) if (names.has(match[1]!)) found.add(match[1]!);
  }
  return [...found];
}

/** Every computed block in the document with its path. */
function computedBlocks(document: unknown): { path: YamlPath; fields: Record<string, unknown> }[] {
  if (!isPlainRecord(document)) return [];
  const blocks: { path: YamlPath; fields: Record<string, unknown> }[] = [];
  const add = (owner: unknown, path: YamlPath) => {
    if (
      isPlainRecord(owner) &&
      isPlainRecord(owner.state_schema) &&
      isPlainRecord(owner.state_schema.computed)
    ) {
      blocks.push({ path: [...path, "state_schema", "computed"], fields: owner.state_schema.computed });
    }
  };
  add(document, []);
  if (isPlainRecord(document.sub_agent_tasks)) {
    for (const [name, task] of Object.entries(document.sub_agent_tasks)) add(task, ["sub_agent_tasks", name]);
  }
  return blocks;
}

function dependencyGraph(fields: Record<string, unknown>): Map<string, string[]> {
  const names = new Set(Object.keys(fields));
  const graph = new Map<string, string[]>();
  for (const [name, field] of Object.entries(fields)) {
    const from = isPlainRecord(field) ? field.from : undefined;
    const sources = typeof from === "string" ? [from] : Array.isArray(from) ? from : [];
    const references = sources.filter((source): source is string => typeof source === "string");
    graph.set(name, [...new Set(references.flatMap((source) => computedReferences(source, names)))]);
  }
  return graph;
}

/** Cycles of a graph, each once, each starting at its earliest node in `graph` order. */
export function findCycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  const order = [...graph.keys()];
  const state = new Map<string, "visiting" | "done">();
  const stack: string[] = [];
  const cycles = new Map<string, string[]>();
  const visit = (node: string) => {
    state.set(node, "visiting");
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      if (state.get(next) === "visiting") {
        const cycle = stack.slice(stack.indexOf(next));
        const start = cycle.reduce((a, b) => (order.indexOf(a) <= order.indexOf(b) ? a : b));
        const rotated = [...cycle.slice(cycle.indexOf(start)), ...cycle.slice(0, cycle.indexOf(start))];
        cycles.set(rotated.join("\u0000"), rotated);
      } else if (!state.has(next) && graph.has(next)) {
        visit(next);
      }
    }
    stack.pop();
    state.set(node, "done");
  };
  for (const node of order) if (!state.has(node)) visit(node);
  return [...cycles.values()];
}

export function checkComputedCycles(document: unknown): Finding[] {
  return computedBlocks(document).flatMap(({ path, fields }) =>
    findCycles(dependencyGraph(fields)).map((cycle) =>
      errorFinding(
        "loader.computed_cycle",
        `computed fields form a cycle: ${[...cycle, cycle[0]].join(" → ")}`,
        [...path, cycle[0]!, "from"],
      ),
    ),
  );
}
