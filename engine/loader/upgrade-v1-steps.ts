/**
 * @module
 * The step part of the schema_version 1 upgrade (see the table in docs/dialect.md): standalone
 * `state_update`/`batch_state_update` → `set_state`; `then`/`else` → `then_steps`/`else_steps`;
 * `type: while` → `while_loop`; loop `steps:` → `body`; missing ids → `step_<n>`; `raw.x`
 * write paths → `this.x`; shell `state_update` without `value` → `value: stdout`;
 * `output_format` dropped; `break`/`continue` outside a loop dropped.
 */
import { isMap, isScalar, isSeq, YAMLMap } from "yaml";
import { generatedStepId, recordFeature, type UpgradeContext } from "./upgrade-v1-context.ts";
import {
  keyOf,
  type MapNode,
  pairOf,
  removePair,
  renameKey,
  type SeqNode,
  setPair,
  stringAt,
} from "./yaml-edit.ts";
import type { YamlPath } from "./yaml-path.ts";

const LOOP_TYPES = new Set(["while_loop", "foreach"]);
/** phase-5 branch keys → v2 keys (a Map: an object with a `then` key reads as a thenable) */
const BRANCH_RENAMES = new Map([
  ["then", "then_steps"],
  ["else", "else_steps"],
]);
const LOOP_RENAMES = new Map([["steps", "body"]]);
const UPDATE_FIELDS = ["path", "value", "operation"];
const STORE_KEYS = ["store_result", "store_response", "store_results"];

/** Rewrites a list of steps in place; `loopDepth` counts enclosing loops. */
export function upgradeStepList(
  context: UpgradeContext,
  list: SeqNode,
  path: YamlPath,
  loopDepth: number,
): void {
  for (let index = 0; index < list.items.length; index++) {
    const step = list.items[index];
    if (!isMap(step)) continue;
    const type = stringAt(step, "type");
    if ((type === "break" || type === "continue") && loopDepth === 0) {
      recordFeature(context, "break_outside_loop", [...path, index], step);
      list.items.splice(index, 1);
      index--;
      continue;
    }
    upgradeStep(context, step, [...path, index], loopDepth);
  }
}

function upgradeStep(context: UpgradeContext, step: MapNode, path: YamlPath, loopDepth: number): void {
  const number = context.nextStepNumber++;
  if (!pairOf(step, "id")) {
    recordFeature(context, "missing_step_id", path, step);
    setPair(context.document, step, "id", generatedStepId(context, number), step, 0);
  }
  rewriteStepType(context, step, path);
  const type = stringAt(step, "type");
  if (type === "conditional") renameChildLists(context, step, path, BRANCH_RENAMES);
  if (type !== undefined && LOOP_TYPES.has(type)) renameChildLists(context, step, path, LOOP_RENAMES);
  const outputFormat = pairOf(step, "output_format");
  if (outputFormat) {
    recordFeature(context, "output_format", path, outputFormat.key);
    removePair(step, "output_format");
  }
  upgradeWritePaths(context, step, path, type === "shell_command");
  const innerDepth = type !== undefined && LOOP_TYPES.has(type) ? loopDepth + 1 : loopDepth;
  for (const key of ["then_steps", "else_steps", "body"]) {
    const child = pairOf(step, key)?.value;
    if (isSeq(child))
      upgradeStepList(context, child, [...path, key], key === "body" ? innerDepth : loopDepth);
  }
}

function rewriteStepType(context: UpgradeContext, step: MapNode, path: YamlPath): void {
  const typeNode = pairOf(step, "type")?.value;
  if (!isScalar(typeNode)) return;
  if (typeNode.value === "while") {
    recordFeature(context, "while_type", [...path, "type"], typeNode);
    typeNode.value = "while_loop";
  } else if (typeNode.value === "batch_state_update") {
    recordFeature(context, "batch_state_update", [...path, "type"], typeNode);
    typeNode.value = "set_state";
    const updates = pairOf(step, "updates");
    if (updates) renameKey(updates, "state_updates");
  } else if (typeNode.value === "state_update") {
    recordFeature(context, "state_update_step", [...path, "type"], typeNode);
    typeNode.value = "set_state";
    const update = new YAMLMap<unknown, unknown>();
    const moved = step.items.filter((pair) => UPDATE_FIELDS.includes(keyOf(pair) ?? ""));
    step.items = step.items.filter((pair) => !moved.includes(pair));
    update.items.push(...moved);
    update.range = moved[0]?.key && isScalar(moved[0].key) ? moved[0].key.range : typeNode.range;
    setPair(context.document, step, "state_update", update, typeNode);
  }
}

function renameChildLists(
  context: UpgradeContext,
  step: MapNode,
  path: YamlPath,
  renames: ReadonlyMap<string, string>,
): void {
  for (const [from, to] of renames) {
    const pair = pairOf(step, from);
    if (!pair || pairOf(step, to)) continue;
    recordFeature(context, from === "steps" ? "loop_steps" : "then_else", [...path, to], pair.key);
    renameKey(pair, to);
  }
}

/** `raw.x` → `this.x` in every path the step writes; shell updates without a value store stdout. */
function upgradeWritePaths(context: UpgradeContext, step: MapNode, path: YamlPath, isShell: boolean): void {
  const updates: { map: MapNode; path: YamlPath }[] = [];
  const single = pairOf(step, "state_update")?.value;
  if (isMap(single)) updates.push({ map: single, path: [...path, "state_update"] });
  const list = pairOf(step, "state_updates")?.value;
  if (isSeq(list)) {
    list.items.forEach((item, index) => {
      if (isMap(item)) updates.push({ map: item, path: [...path, "state_updates", index] });
    });
  }
  for (const update of updates) {
    rewriteRawPath(context, update.map, "path", [...update.path, "path"]);
    if (isShell && !pairOf(update.map, "value")) {
      recordFeature(context, "shell_output_value", update.path, update.map);
      setPair(context.document, update.map, "value", "stdout", update.map);
    }
  }
  for (const key of STORE_KEYS) rewriteRawPath(context, step, key, [...path, key]);
}

function rewriteRawPath(context: UpgradeContext, map: MapNode, key: string, path: YamlPath): void {
  const node = pairOf(map, key)?.value;
  if (!isScalar(node) || typeof node.value !== "string" || !node.value.startsWith("raw.")) return;
  recordFeature(context, "legacy_path", path, node);
  node.value = `this.${node.value.slice("raw.".length)}`;
}
