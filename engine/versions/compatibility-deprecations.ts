/**
 * @module
 * `deprecated_features`: what each entry names in the definition (docs/versioning.md,
 * "Compatibility"). An entry names a thing when it is a step id, an input, a state field, a
 * computed field, a trigger id, a service or a step type present in the definition, written bare
 * (`legacy_mode`) or qualified (`inputs.legacy_mode`, `steps.old_step`, `state.count` or
 * `this.count`, `computed.total`, `triggers.push`, `services.api`, `types.shell_command`). A run of
 * a version "uses" the entries that name something; any other entry is free text, warned at
 * publish only. Pure.
 */
import type { WorkflowDefinition } from "../dialect/index.ts";
import { stepPlaces } from "./compatibility-steps.ts";

/** At most this many entries are examined (and warned about); the rest are left out. */
export const MAX_DEPRECATED_FEATURES = 50;

export interface DeprecatedFeature {
  /** index in `deprecated_features` */
  index: number;
  /** the entry, trimmed */
  entry: string;
  /** what it names, e.g. `input legacy_mode`, `step type shell_command`; empty for free text */
  names: string[];
  /** the same, as data: which kind of thing (`steps`, `types`, `inputs`, ...) and its name */
  targets: { space: Namespace; name: string }[];
}

export type Namespace = "inputs" | "state" | "computed" | "steps" | "triggers" | "services" | "types";

const QUALIFIERS: Record<string, Namespace> = {
  inputs: "inputs",
  state: "state",
  this: "state",
  computed: "computed",
  steps: "steps",
  triggers: "triggers",
  services: "services",
  types: "types",
};

const LABELS: Record<Namespace, string> = {
  inputs: "input",
  state: "state field",
  computed: "computed field",
  steps: "step",
  triggers: "trigger",
  services: "service",
  types: "step type",
};

function namespacesOf(definition: WorkflowDefinition): Record<Namespace, Set<string>> {
  const steps = stepPlaces(definition);
  return {
    inputs: new Set(Object.keys(definition.inputs ?? {})),
    state: new Set([
      ...Object.keys(definition.default_state?.state ?? {}),
      ...Object.keys(definition.state_schema?.state ?? {}),
    ]),
    computed: new Set(Object.keys(definition.state_schema?.computed ?? {})),
    steps: new Set(steps.keys()),
    triggers: new Set(
      (definition.triggers ?? []).flatMap((trigger) => (trigger.id === undefined ? [] : [trigger.id])),
    ),
    services: new Set(Object.keys(definition.services ?? {})),
    types: new Set([...steps.values()].map((place) => place.type)),
  };
}

/** Every entry of `deprecated_features` (the first `MAX_DEPRECATED_FEATURES`) with what it names. */
export function deprecatedFeatures(definition: WorkflowDefinition): DeprecatedFeature[] {
  const entries = (definition.deprecated_features ?? []).slice(0, MAX_DEPRECATED_FEATURES);
  if (entries.length === 0) return [];
  const present = namespacesOf(definition);
  return entries.map((entry, index) => {
    const text = entry.trim();
    const dot = text.indexOf(".");
    const qualifier = dot > 0 ? QUALIFIERS[text.slice(0, dot)] : undefined;
    const spaces: Namespace[] = qualifier === undefined ? (Object.keys(LABELS) as Namespace[]) : [qualifier];
    const name = qualifier === undefined ? text : text.slice(dot + 1);
    const targets = spaces.filter((space) => present[space].has(name)).map((space) => ({ space, name }));
    const names = targets.map((target) => `${LABELS[target.space]} ${name}`);
    return { index, entry: text, names, targets };
  });
}

/** The entries a run of this version uses (those that name something in it). */
export function usedDeprecations(definition: WorkflowDefinition): DeprecatedFeature[] {
  return deprecatedFeatures(definition).filter((feature) => feature.names.length > 0);
}

/** One line for a warning: `"legacy_mode" is deprecated (input legacy_mode)`. */
export function describeDeprecation(feature: DeprecatedFeature): string {
  const named =
    feature.names.length === 0 ? "free text, naming nothing in this version" : feature.names.join(", ");
  return `"${feature.entry}" is deprecated (${named})`;
}
