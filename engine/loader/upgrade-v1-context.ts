/**
 * @module
 * Book-keeping shared by the schema_version 1 upgrade: which deprecated features were found,
 * how often, and where first. Produces one `deprecated.<feature>` warning per feature.
 */
import type { Document } from "yaml";
import { type Finding, warningFinding } from "./diagnostic.ts";
import type { DeprecationCode } from "./error-codes.ts";
import { startOf } from "./yaml-edit.ts";
import type { YamlPath } from "./yaml-path.ts";

export type Phase5Feature =
  | "schema_version"
  | "raw_tier"
  | "state_update_step"
  | "batch_state_update"
  | "missing_step_id"
  | "then_else"
  | "while_type"
  | "loop_steps"
  | "legacy_path"
  | "shell_output_value"
  | "output_format"
  | "missing_version"
  | "break_outside_loop";

/** The warning code of a feature; a feature without its `deprecated.*` code in DEPRECATION_CODES does not compile. */
function deprecationCode(feature: Phase5Feature): DeprecationCode {
  return `deprecated.${feature}`;
}

const MESSAGES: Record<Phase5Feature, (count: number) => string> = {
  schema_version: () =>
    "schema_version 1 (the phase-5 dialect) is deprecated; the file was upgraded to schema_version 2",
  raw_tier: (n) =>
    `the raw tier is deprecated: ${n} raw block(s) moved to state (raw.x reads as this.x, or inputs.x for an input)`,
  state_update_step: (n) =>
    `standalone state_update steps are deprecated: ${n} rewritten as set_state with state_update`,
  batch_state_update: (n) =>
    `batch_state_update steps are deprecated: ${n} rewritten as set_state with state_updates`,
  missing_step_id: (n) => `${n} step(s) had no id and were given step_<n> (depth-first numbering); add ids`,
  then_else: (n) => `then/else are deprecated: ${n} renamed then_steps/else_steps`,
  while_type: (n) => `type: while is deprecated: ${n} step(s) rewritten as while_loop`,
  loop_steps: (n) => `steps: inside a loop is deprecated: ${n} renamed body`,
  legacy_path: (n) => `raw./computed. paths are deprecated: ${n} path(s) rewritten to this. (or inputs.)`,
  shell_output_value: (n) =>
    `a shell_command state_update without value is deprecated: value: stdout added to ${n}`,
  output_format: (n) => `output_format is not supported: dropped from ${n} step(s)`,
  missing_version: () => 'the file has no version: "0.0.0" assumed; add a semantic version',
  break_outside_loop: (n) =>
    `break/continue outside a loop (a runtime error in phase 5): ${n} dropped; the steps after it still run`,
};

interface Hit {
  count: number;
  path: YamlPath;
  offset: number | undefined;
}

export interface UpgradeContext {
  document: Document;
  hits: Map<Phase5Feature, Hit>;
  /** ids written in the file, so generated ones do not collide */
  takenIds: Set<string>;
  /** depth-first number of the next step */
  nextStepNumber: number;
}

export function createUpgradeContext(document: Document, takenIds: Iterable<string>): UpgradeContext {
  return { document, hits: new Map(), takenIds: new Set(takenIds), nextStepNumber: 0 };
}

/** Records one occurrence of a feature at `node` (whose source position the warning reports). */
export function recordFeature(
  context: UpgradeContext,
  feature: Phase5Feature,
  path: YamlPath,
  node: unknown,
): void {
  const hit = context.hits.get(feature);
  if (hit) hit.count++;
  else context.hits.set(feature, { count: 1, path, offset: startOf(node) });
}

export function upgradeWarnings(context: UpgradeContext): Finding[] {
  return [...context.hits].map(([feature, hit]) => ({
    ...warningFinding(deprecationCode(feature), MESSAGES[feature](hit.count), hit.path),
    offset: hit.offset,
  }));
}

/** `step_<n>` for the next step in depth-first order, avoiding ids the file already uses. */
export function generatedStepId(context: UpgradeContext, number: number): string {
  let id = `step_${number}`;
  while (context.takenIds.has(id)) id = `${id}_`;
  context.takenIds.add(id);
  return id;
}
