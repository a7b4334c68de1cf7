/**
 * @module
 * Every name a workflow gives a value anywhere, by scope: inputs (`inputs`, `state_schema.inputs`,
 * `default_state.inputs`), `this` fields (`default_state.state`, `state_schema.state`, computed
 * fields, and every field a step writes under `this.`/`state.`/`raw.`), globals
 * (`default_state.global` and writes under `global.`), the file's `config` keys, the
 * dependency tasks (`tasks.*`) and the loop variables (`item`, `index`, `iteration` and every
 * foreach's `variable_name`/`index_name`). The workflow and its sub-agent tasks are pooled: a
 * name declared in any of them counts everywhere, so a name is reported only when nothing in the
 * file could give it a value. Pure: reads the definition.
 */
import type { WorkflowDefinition } from "../../dialect/index.ts";
import { isPlainRecord, walkSteps } from "../step-walk.ts";
import { writtenPaths } from "./state-paths.ts";

export interface DeclaredNames {
  inputs: Set<string>;
  state: Set<string>;
  computed: Set<string>;
  global: Set<string>;
  config: Set<string>;
  tasks: Set<string>;
  loopVariables: Set<string>;
}

/** `x` of a written path `this.x...`, with its root. */
const WRITTEN_FIELD = /^\s*([A-Za-z_$][\w$]*)\s*(?:\.\s*([^.[\]\s]+)|\[\s*(["'])(.*?)\3\s*\])/s;

export function declaredNames(definition: WorkflowDefinition): DeclaredNames {
  const names: DeclaredNames = {
    inputs: new Set(),
    state: new Set(),
    computed: new Set(),
    global: new Set(),
    config: new Set(keysOf(definition.config)),
    tasks: new Set(keysOf(definition.dependencies)),
    loopVariables: new Set(["item", "index", "iteration"]),
  };
  const owners: unknown[] = [definition, ...Object.values(definition.sub_agent_tasks ?? {})];
  for (const owner of owners) addOwnerNames(owner, names);
  walkSteps(definition, ({ step, path }) => {
    if (step.type === "foreach") {
      if (typeof step.variable_name === "string") names.loopVariables.add(step.variable_name);
      if (typeof step.index_name === "string") names.loopVariables.add(step.index_name);
    }
    for (const { path: written } of writtenPaths(step, path)) addWrite(written, names);
  });
  return names;
}

function addOwnerNames(owner: unknown, names: DeclaredNames): void {
  if (!isPlainRecord(owner)) return;
  for (const name of keysOf(owner.inputs)) names.inputs.add(name);
  const defaults = isPlainRecord(owner.default_state) ? owner.default_state : {};
  for (const name of keysOf(defaults.inputs)) names.inputs.add(name);
  for (const name of keysOf(defaults.state)) names.state.add(name);
  for (const name of keysOf(defaults.global)) names.global.add(name);
  const schema = isPlainRecord(owner.state_schema) ? owner.state_schema : {};
  for (const name of keysOf(schema.inputs)) names.inputs.add(name);
  for (const name of keysOf(schema.state)) names.state.add(name);
  for (const name of keysOf(schema.computed)) names.computed.add(name);
}

function addWrite(path: string, names: DeclaredNames): void {
  const match = WRITTEN_FIELD.exec(path);
  const field = match?.[2] ?? match?.[4];
  if (match === null || field === undefined) return;
  if (match[1] === "global") names.global.add(field);
  else names.state.add(field);
}

function keysOf(value: unknown): string[] {
  return isPlainRecord(value) ? Object.keys(value) : [];
}

/** Every name a bare read could resolve to through the run's tiers. */
export function bareCandidates(names: DeclaredNames): Set<string> {
  return new Set([
    ...names.loopVariables,
    ...names.computed,
    ...names.inputs,
    ...names.state,
    ...names.global,
  ]);
}
