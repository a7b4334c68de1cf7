/**
 * The comparer against known mutations (fast-check): a random definition (inputs, state fields,
 * root steps, a conditional with nested steps, named triggers, services), a random subset of
 * mutations each applied to its own element, and the comparer must report exactly the
 * differences those mutations make, each with the breaking flag the rule gives it.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type WorkflowInput, workflowSchema } from "../../../engine/dialect/index.ts";
import { compareDefinitions } from "../../../engine/versions/compatibility.ts";

interface Shape {
  inputs: string[];
  fields: string[];
  steps: string[];
  nested: string[];
  extraTriggers: number;
}

type Expected = [kind: string, path: string, breaking: boolean];

interface Mutation {
  name: string;
  apply(file: WorkflowInput, shape: Shape): Expected[];
}

type StepList = { id: string; type: string; message?: string; then_steps?: StepList }[];

const rootSteps = (file: WorkflowInput) => file.steps as StepList;
const branch = (file: WorkflowInput) => rootSteps(file).find((step) => step.id === "branch")!.then_steps!;

/** Each mutation touches its own element: inputs[0..1], fields[0..1], steps[0..2], nested[0], triggers hook/tick/feed. */
const MUTATIONS: Mutation[] = [
  {
    name: "add optional input",
    apply: (file) => {
      file.inputs!.added_optional = { type: "string", required: false };
      return [["input_added", "inputs.added_optional", false]];
    },
  },
  {
    name: "add required input",
    apply: (file) => {
      file.inputs!.added_required = { type: "number" };
      return [["input_added", "inputs.added_required", true]];
    },
  },
  {
    name: "remove an input",
    apply: (file, shape) => {
      delete file.inputs![shape.inputs[0]!];
      return [["input_removed", `inputs.${shape.inputs[0]}`, true]];
    },
  },
  {
    name: "retype an input",
    apply: (file, shape) => {
      file.inputs![shape.inputs[1]!] = { type: "boolean", required: false };
      return [["input_retyped", `inputs.${shape.inputs[1]}`, true]];
    },
  },
  {
    name: "remove a state field",
    apply: (file, shape) => {
      delete file.default_state!.state![shape.fields[0]!];
      delete file.state_schema!.state![shape.fields[0]!];
      return [["state_removed", `state.${shape.fields[0]}`, true]];
    },
  },
  {
    name: "retype a state field",
    apply: (file, shape) => {
      file.default_state!.state![shape.fields[1]!] = "text";
      file.state_schema!.state![shape.fields[1]!] = "string";
      return [["state_retyped", `state.${shape.fields[1]}`, true]];
    },
  },
  {
    name: "move a step into the branch",
    apply: (file, shape) => {
      const steps = rootSteps(file);
      const [moved] = steps.splice(
        steps.findIndex((step) => step.id === shape.steps[0]),
        1,
      );
      branch(file).push(moved!);
      return [["step_moved", `steps.${shape.steps[0]}`, true]];
    },
  },
  {
    name: "rename a step id",
    apply: (file, shape) => {
      rootSteps(file).find((step) => step.id === shape.steps[1])!.id = "renamed_step";
      return [
        ["step_removed", `steps.${shape.steps[1]}`, true],
        ["step_added", "steps.renamed_step", false],
      ];
    },
  },
  {
    name: "remove a nested step",
    apply: (file, shape) => {
      const nested = branch(file);
      nested.splice(
        nested.findIndex((step) => step.id === shape.nested[0]),
        1,
      );
      return [["step_removed", `steps.${shape.nested[0]}`, true]];
    },
  },
  {
    name: "retype a step",
    apply: (file, shape) => {
      const step = rootSteps(file).find((candidate) => candidate.id === shape.steps[2])!;
      Object.assign(step, { type: "agent_prompt", prompt: "go" });
      delete step.message;
      return [["step_retyped", `steps.${shape.steps[2]}`, true]];
    },
  },
  {
    name: "add a step",
    apply: (file) => {
      rootSteps(file).push({ id: "added_step", type: "user_message", message: "new" });
      return [["step_added", "steps.added_step", false]];
    },
  },
  {
    name: "change a webhook's endpoint",
    apply: (file) => {
      Object.assign(file.triggers!.find((trigger) => trigger.id === "hook")!, { endpoint: "/moved" });
      return [["trigger_changed", "triggers.hook", true]];
    },
  },
  {
    name: "change a schedule's cron",
    apply: (file) => {
      Object.assign(file.triggers!.find((trigger) => trigger.id === "tick")!, { cron: "0 * * * *" });
      return [["trigger_changed", "triggers.tick", false]];
    },
  },
  {
    name: "remove a trigger",
    apply: (file) => {
      file.triggers = file.triggers!.filter((trigger) => trigger.id !== "feed");
      return [["trigger_removed", "triggers.feed", true]];
    },
  },
  {
    name: "remove a schedule",
    apply: (file) => {
      file.triggers = file.triggers!.filter((trigger) => trigger.id !== "nightly");
      return [["trigger_removed", "triggers.nightly", false]];
    },
  },
  {
    name: "add a trigger",
    apply: (file) => {
      file.triggers!.push({ id: "added_trigger", type: "event", event_type: "added.event" });
      return [["trigger_added", "triggers.added_trigger", false]];
    },
  },
  {
    name: "bump a service's plugin major",
    apply: (file) => {
      file.services!.api = { uses: "http@^2" };
      return [
        ["service_changed", "services.api", false],
        ["plugin_major_changed", "services.api", true],
      ];
    },
  },
  {
    name: "remove a service",
    apply: (file) => {
      delete file.services!.store;
      return [["service_removed", "services.store", true]];
    },
  },
];

const name = fc.stringMatching(/^[a-z][a-z0-9]{0,6}$/).filter((id) => id !== "branch");
const shapeArbitrary: fc.Arbitrary<Shape> = fc
  .uniqueArray(name, { minLength: 13, maxLength: 24 })
  .chain((names) =>
    fc.record({
      inputs: fc.constant(names.slice(0, 2 + (names.length % 3))),
      fields: fc.constant(names.slice(5, 8)),
      steps: fc.constant(names.slice(8, 11)),
      nested: fc.constant(names.slice(11)),
      extraTriggers: fc.nat(3),
    }),
  );

function baseFile(shape: Shape): WorkflowInput {
  return {
    name: "generated",
    description: "generated by the property test",
    version: "1.0.0",
    inputs: Object.fromEntries(shape.inputs.map((input) => [input, { type: "number", required: false }])),
    default_state: { state: Object.fromEntries(shape.fields.map((field) => [field, 0])) },
    state_schema: { state: Object.fromEntries(shape.fields.map((field) => [field, "number" as const])) },
    services: { api: { uses: "http@^1" }, store: { uses: "kv@^1" } },
    triggers: [
      { id: "hook", type: "webhook", endpoint: "/hook", secret: "s3cret" },
      { id: "tick", type: "schedule", cron: "*/5 * * * *" },
      { id: "feed", type: "event", event_type: "feed.item" },
      { id: "nightly", type: "schedule", cron: "0 3 * * *" },
      ...Array.from({ length: shape.extraTriggers }, (_, index) => ({
        id: `extra${index}`,
        type: "event" as const,
        event_type: `extra.${index}`,
      })),
    ],
    steps: [
      ...shape.steps.map((id) => ({ id, type: "user_message" as const, message: id })),
      {
        id: "branch",
        type: "conditional",
        condition: "{{ true }}",
        then_steps: shape.nested.map((id) => ({ id, type: "user_message" as const, message: id })),
      },
    ],
  };
}

const byPath = (a: Expected, b: Expected) => (a.join() < b.join() ? -1 : 1);

describe("compareDefinitions on known mutations", () => {
  it("reports exactly the mutations applied, with their breaking flags", () => {
    fc.assert(
      fc.property(shapeArbitrary, fc.subarray(MUTATIONS), (shape, mutations) => {
        const previous = workflowSchema.parse(baseFile(shape));
        const file = structuredClone(baseFile(shape));
        file.version = "1.1.0";
        const expected = mutations.flatMap((mutation) => mutation.apply(file, shape));
        const next = workflowSchema.parse(file);
        const reported = compareDefinitions(previous, next).map(
          ({ kind, path, breaking }): Expected => [kind, path, breaking],
        );
        expect(reported.sort(byPath)).toEqual(expected.sort(byPath));
      }),
      { numRuns: 300 },
    );
  });
});
