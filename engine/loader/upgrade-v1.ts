/**
 * @module
 * The schema_version 1 → 2 upgrade, applied to the parsed YAML document in place before schema
 * validation (so every diagnostic still points into the file). It follows the table at the end of
 * docs/dialect.md and reports one `deprecated.<feature>` warning per feature found.
 *
 * Templates (`{{ raw.x }}`, `{{ counter }}`) are left as written: legacy prefixes and bare names
 * still resolve at run time. Only paths (`from`, `path`, `store_*`) are rewritten.
 */
import { isMap, isScalar, isSeq } from "yaml";
import type { Finding } from "./diagnostic.ts";
import { ANY_CHILD_STEP_KEYS } from "./phase5-detect.ts";
import { isPlainRecord } from "./step-walk.ts";
import {
  createUpgradeContext,
  recordFeature,
  type UpgradeContext,
  upgradeWarnings,
} from "./upgrade-v1-context.ts";
import { upgradeStepList } from "./upgrade-v1-steps.ts";
import { keyOf, type MapNode, mapAt, pairOf, renameKey, setPair } from "./yaml-edit.ts";
import type { YamlPath } from "./yaml-path.ts";
import type { YamlSource } from "./yaml-source.ts";

/** Rewrites a phase-5 document to schema_version 2 in place and returns the deprecation warnings. */
export function upgradeV1(source: YamlSource, data: unknown): Finding[] {
  const root = source.document.contents;
  if (!isMap(root)) return [];
  const context = createUpgradeContext(source.document, explicitStepIds(data));
  const schemaVersion = pairOf(root, "schema_version");
  if (schemaVersion && isScalar(schemaVersion.value)) {
    recordFeature(context, "schema_version", ["schema_version"], schemaVersion.value);
    schemaVersion.value.value = 2;
  }
  if (!pairOf(root, "version")) {
    recordFeature(context, "missing_version", [], root);
    const nameIndex = root.items.findIndex((pair) => keyOf(pair) === "name");
    setPair(source.document, root, "version", "0.0.0", root, nameIndex + 1);
  }
  upgradeStateOwner(context, root, []);
  const steps = pairOf(root, "steps")?.value;
  if (isSeq(steps)) upgradeStepList(context, steps, ["steps"], 0);
  const tasks = mapAt(root, "sub_agent_tasks");
  for (const pair of tasks?.items ?? []) {
    const name = keyOf(pair);
    if (name === undefined || !isMap(pair.value)) continue;
    upgradeStateOwner(context, pair.value, ["sub_agent_tasks", name]);
    const taskSteps = pairOf(pair.value, "steps")?.value;
    if (isSeq(taskSteps)) upgradeStepList(context, taskSteps, ["sub_agent_tasks", name, "steps"], 0);
  }
  return upgradeWarnings(context);
}

/** The workflow or a sub-agent task: its `raw` tiers move to `state`, its computed `from` paths lose legacy roots. */
function upgradeStateOwner(context: UpgradeContext, owner: MapNode, path: YamlPath): void {
  const rawFields = new Set<string>();
  for (const block of ["default_state", "state_schema"]) {
    const map = mapAt(owner, block);
    if (map) for (const name of moveRawTier(context, map, [...path, block])) rawFields.add(name);
  }
  const inputNames = new Set((mapAt(owner, "inputs")?.items ?? []).map(keyOf));
  const computed = mapAt(owner, "state_schema") && mapAt(mapAt(owner, "state_schema")!, "computed");
  for (const pair of computed?.items ?? []) {
    const field = pair.value;
    if (!isMap(field)) continue;
    const from = pairOf(field, "from");
    const fromPath = [...path, "state_schema", "computed", keyOf(pair) ?? "", "from"];
    const entries = isSeq(from?.value) ? from.value.items : [from?.value];
    entries.forEach((entry, index) => {
      if (!isScalar(entry) || typeof entry.value !== "string") return;
      const rewritten = rewriteReadPath(entry.value, inputNames, rawFields);
      if (rewritten === entry.value) return;
      recordFeature(context, "legacy_path", isSeq(from?.value) ? [...fromPath, index] : fromPath, entry);
      entry.value = rewritten;
    });
  }
}

/** `raw:` becomes `state:` (merged into an existing `state:`, raw winning as it did in phase 5). */
function moveRawTier(context: UpgradeContext, block: MapNode, path: YamlPath): string[] {
  const raw = pairOf(block, "raw");
  if (!raw) return [];
  recordFeature(context, "raw_tier", [...path, "state"], raw.key);
  const rawMap = isMap(raw.value) ? (raw.value as MapNode) : undefined;
  const names = (rawMap?.items ?? []).map(keyOf).filter((name): name is string => name !== undefined);
  const state = mapAt(block, "state");
  if (!state) {
    renameKey(raw, "state");
    return names;
  }
  for (const pair of rawMap?.items ?? []) {
    const existing = state.items.findIndex((item) => keyOf(item) === keyOf(pair));
    if (existing >= 0) state.items.splice(existing, 1, pair);
    else state.items.push(pair);
  }
  block.items = block.items.filter((pair) => pair !== raw);
  return names;
}

/** `computed.x` → `this.x`; `raw.x` → `inputs.x` for an input that is not a raw field, else `this.x`. */
function rewriteReadPath(
  path: string,
  inputNames: ReadonlySet<string | undefined>,
  rawFields: ReadonlySet<string>,
) {
  if (path.startsWith("computed.")) return `this.${path.slice("computed.".length)}`;
  if (!path.startsWith("raw.")) return path;
  const rest = path.slice("raw.".length);
  const field = /^[^.[]*/.exec(rest)?.[0] ?? "";
  return inputNames.has(field) && !rawFields.has(field) ? `inputs.${rest}` : `this.${rest}`;
}

/** Ids already written anywhere in the document (either dialect's child lists). */
function explicitStepIds(data: unknown): string[] {
  const ids: string[] = [];
  const visit = (list: unknown) => {
    if (!Array.isArray(list)) return;
    for (const step of list) {
      if (!isPlainRecord(step)) continue;
      if (typeof step.id === "string") ids.push(step.id);
      for (const key of ANY_CHILD_STEP_KEYS) visit(step[key]);
    }
  };
  if (isPlainRecord(data)) {
    visit(data.steps);
    if (isPlainRecord(data.sub_agent_tasks)) {
      for (const task of Object.values(data.sub_agent_tasks)) if (isPlainRecord(task)) visit(task.steps);
    }
  }
  return ids;
}
