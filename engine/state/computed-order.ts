/**
 * @module
 * The order computed fields are evaluated in: every field after the computed fields its `from`
 * reads (a topological sort, stable in declaration order). A cycle is `state.computed_cycle`
 * naming it. Plans are cached per specs object, so parsing happens once per definition.
 * Must not read state or evaluate anything.
 */
import { EngineError } from "../errors.ts";
import { type ComputedSource, computedFieldsReadBy, parseComputedSource } from "./computed-sources.ts";
import { hashText } from "./fingerprint.ts";
import { assertSafeSegment } from "./forbidden-keys.ts";
import type { ComputedFieldSpec, ComputedFieldSpecs } from "./specs.ts";

/** One computed field, ready to evaluate. */
export interface ComputedFieldPlan {
  name: string;
  spec: ComputedFieldSpec;
  /** one entry for a single `from`; `input` is then the value, else an array */
  sources: readonly ComputedSource[];
  fromIsList: boolean;
  /** a hash of the spec, part of every fingerprint so a changed definition recomputes */
  specKey: string;
}

const plansBySpecs = new WeakMap<ComputedFieldSpecs, readonly ComputedFieldPlan[]>();

/** Field names in evaluation order. Throws `state.computed_cycle`, a path error, or `state.forbidden_key` for a field named `__proto__`, `constructor` or `prototype`. */
export function computedFieldOrder(specs: ComputedFieldSpecs): string[] {
  return planComputedFields(specs).map((plan) => plan.name);
}

/** The fields in evaluation order with their parsed sources (cached per `specs` object). */
export function planComputedFields(specs: ComputedFieldSpecs): readonly ComputedFieldPlan[] {
  const cached = plansBySpecs.get(specs);
  if (cached !== undefined) return cached;
  const plans = new Map<string, ComputedFieldPlan>();
  for (const name of Object.keys(specs)) {
    assertSafeSegment(name, `state_schema.computed.${name}`);
    const spec = specs[name]!;
    const fromIsList = typeof spec.from !== "string";
    const entries: readonly string[] = typeof spec.from === "string" ? [spec.from] : spec.from;
    const specKey = hashText(JSON.stringify([spec.from, spec.transform, spec.on_error, spec.fallback]) ?? "");
    plans.set(name, { name, spec, sources: entries.map(parseComputedSource), fromIsList, specKey });
  }
  const names = new Set(plans.keys());
  const ordered: ComputedFieldPlan[] = [];
  const done = new Set<string>();
  const visiting: string[] = [];
  const visit = (name: string): void => {
    if (done.has(name)) return;
    const cycleStart = visiting.indexOf(name);
    if (cycleStart >= 0) {
      const cycle = [...visiting.slice(cycleStart), name];
      throw new EngineError("state.computed_cycle", `computed fields form a cycle: ${cycle.join(" → ")}`, {
        path: `state_schema.computed.${name}`,
      });
    }
    visiting.push(name);
    const plan = plans.get(name)!;
    for (const source of plan.sources) {
      for (const dependency of computedFieldsReadBy(source, names)) visit(dependency);
    }
    visiting.pop();
    done.add(name);
    ordered.push(plan);
  };
  for (const name of plans.keys()) visit(name);
  plansBySpecs.set(specs, ordered);
  return ordered;
}
