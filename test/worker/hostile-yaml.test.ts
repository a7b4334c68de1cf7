/**
 * Hostile workflow files through `workflow_validate` and `workflow_publish`: generated
 * documents shaped like workflows (every step type, triggers, dependencies, computed fields,
 * with hostile names, paths and expressions), random YAML, and random edits of the project's
 * valid fixtures; whatever publishes is started and driven a step, with hostile inputs and
 * results. By hand: alias bombs ("billion laughs"), 100k-level nesting, `__proto__` /
 * `constructor` / `prototype` as YAML keys, merge keys and ids, YAML tags, and expressions that
 * try to escape the sandbox or never end, in every place an expression runs (computed
 * transform, condition, template, state value, trigger filter and mapping), at publish and at
 * run time. Never a 5xx, stable codes, nothing logged as unexpected, the DOs answer afterwards.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { STEP_TYPES as DIALECT_STEP_TYPES } from "../../engine/dialect/index.ts";
import deployOnPush from "../fixtures/events/deploy-on-push.yaml?raw";
import diamondRun from "../fixtures/graph/diamond-run.yaml?raw";
import everyStep from "../fixtures/loader/valid/every-step.yaml?raw";
import controlFlow from "../fixtures/scenarios/control-flow.yaml?raw";
import loopComputed from "../fixtures/scenarios/loop-computed.yaml?raw";
import subAgents from "../fixtures/scenarios/sub-agents.yaml?raw";
import waits from "../fixtures/scenarios/waits.yaml?raw";
import { mutatedText } from "../support/text-edits.ts";
import { ESCAPE_EXPRESSIONS, hostileJson, hostileKey, hostileString } from "./support/hostile-arbitraries.ts";
import { mcpHeaders, STABLE_CODE, toolCallBody } from "./support/hostile-harness.ts";
import { expectStillServing, hostileSuite } from "./support/hostile-suite.ts";
import { GREET } from "./support/workflows.ts";

/**
 * Each generated suite publishes and runs hundreds of documents: seconds alone, but several times
 * that when the whole test run shares two cores, so they get more than the default 30 s.
 */
const GENERATED_SUITE_TIMEOUT_MS = 120_000;
const GENERATED_DOCUMENTS = 600;
/** more than the others: about a third carry an expression that does not compile, refused at publish, not run */
const PLAUSIBLE_DOCUMENTS = 400;
const MUTATED_FIXTURES = 700;
const RANDOM_YAML = 300;

const FIXTURES = [controlFlow, loopComputed, subAgents, waits, deployOnPush, diamondRun, everyStep, GREET];

let published = 0;
let driven = 0;
const { harness, tenant, tool } = hostileSuite({
  suite: "yaml",
  minimum: 3_000,
  tenantPrefix: "hostile-yaml",
  summary: () => `hostile yaml: ${published} generated files published, ${driven} of them started and driven`,
});

/** Validate; publish every third; start and drive what published. Checks the diagnostics too. */
async function exercise(surface: string, yaml: string, index: number): Promise<void> {
  const validated = await tool(`${surface}:validate`, "workflow_validate", { yaml });
  const errors = (validated.structured.errors ?? []) as { code: string }[];
  for (const error of errors) {
    expect(error.code, JSON.stringify(error)).toMatch(STABLE_CODE);
    expect(error.code).not.toBe("loader.internal_error");
  }
  if (index % 3 !== 0) return;
  const publish = await tool(`${surface}:publish`, "workflow_publish", { yaml });
  if (publish.structured.created !== true) return;
  published += 1;
  await drive(surface, String(publish.structured.workflow), hostileInputs(index));
}

/** Mostly an object of inputs (so runs start), with hostile values; sometimes anything at all. */
function hostileInputs(index: number): unknown {
  const value = fc.sample(hostileJson, { numRuns: 1, seed: index })[0];
  return index % 4 === 0 ? value : { name: value };
}

/** Starts a run and drives it a few steps with hostile results, checking every answer. */
async function drive(surface: string, workflow: string, inputs: unknown): Promise<void> {
  const started = await tool(`${surface}:run`, "workflow_start", { workflow, inputs });
  const runId = started.structured.workflow_id;
  if (typeof runId !== "string") return;
  driven += 1;
  for (let turn = 0; turn < 3; turn += 1) {
    const next = await tool(`${surface}:run`, "workflow_get_next_step", { workflow_id: runId });
    const steps = (next.structured.steps ?? []) as { id: string; type: string }[];
    const step = steps.find((candidate) => candidate.type !== "user_message");
    if (step === undefined) return;
    await tool(`${surface}:run`, "workflow_step_complete", {
      workflow_id: runId,
      step_id: step.id,
      result: hostileInputs(turn + runId.length),
    });
  }
  await tool(`${surface}:run`, "workflow_get_status", { workflow_id: runId });
}

// ── generated workflow-shaped documents ──────────────────────────────────

/** Every step type of the dialect, the phase-5 `state_update`, and one that does not exist. */
const STEP_TYPES = [...DIALECT_STEP_TYPES, "state_update", "no_such_step"];

const STEP_FIELDS = [
  "message",
  "condition",
  "items",
  "tool",
  "parameters",
  "store_result",
  "command",
  "prompt",
  "seconds",
  "when",
  "max_iterations",
  "sub_agent_task",
  "variable_name",
  "error_handling",
  "state_update",
  "state_updates",
  "timeout_seconds",
];

const expression = fc.oneof(
  { weight: 2, arbitrary: fc.constantFrom(...ESCAPE_EXPRESSIONS) },
  {
    weight: 2,
    arbitrary: fc.constantFrom("this.count", "inputs.name", "loop.item", "true", "1 + 1", "event.path"),
  },
  { weight: 1, arbitrary: hostileString },
);
const template = expression.map((code) => `{{ ${code} }}`);
const fieldValue = fc.oneof(template, expression, hostileJson, fc.integer({ min: -5, max: 100 }));
const statePath = fc.oneof(
  fc.constantFrom(
    "this.count",
    "this.__proto__.polluted",
    "this.constructor.prototype.x",
    "global.x",
    "inputs.name",
  ),
  hostileString,
);

const stepArbitrary: fc.Arbitrary<unknown> = fc.letrec<{ step: unknown }>((tie) => ({
  step: fc
    .tuple(
      fc.oneof(fc.constantFrom("s1", "s2", "__proto__", "constructor", "prototype"), hostileString),
      fc.constantFrom(...STEP_TYPES),
      fc.dictionary(fc.constantFrom(...STEP_FIELDS), fieldValue, { maxKeys: 3 }),
      fc.option(fc.record({ path: statePath, value: fieldValue }), { nil: undefined }),
      fc.option(fc.array(tie("step"), { maxLength: 2, depthIdentifier: "steps" }), { nil: undefined }),
    )
    .map(([id, type, fields, update, body]) => ({
      id,
      type,
      ...fields,
      ...(update === undefined ? {} : { state_update: update }),
      ...(body === undefined ? {} : type === "conditional" ? { then_steps: body } : { body }),
    })),
})).step;

const triggerArbitrary = fc.oneof(
  fc.record({
    type: fc.constant("webhook"),
    endpoint: fc.oneof(fc.constant("/hook"), hostileString),
    secret: fc.oneof(fc.constant("{{ env.HOOK_SECRET }}"), hostileString),
    signature: fc.constantFrom("standard", "github", "stripe", "sha1"),
    filter: expression,
    inputs_mapping: fc.dictionary(hostileKey, expression, { maxKeys: 2 }),
  }),
  fc.record({
    type: fc.constant("schedule"),
    cron: fc.oneof(
      fc.constantFrom("* * * * *", "0 0 30 2 *", "@yearly", "*/0 * * * *", "61 * * * *"),
      hostileString,
    ),
    timezone: fc.oneof(fc.constantFrom("UTC", "America/New_York", "Mars/Olympus"), hostileString),
    jitter: fc.oneof(fc.integer(), hostileJson),
    catchup: fc.oneof(fc.constantFrom("all", "latest", "none", true), hostileJson),
  }),
  fc.record({
    type: fc.constantFrom("file_change", "event"),
    pattern: fc.oneof(fc.constantFrom("**/*.ts", "!**", "[", "{a,b}".repeat(20)), hostileString),
    event_type: fc.oneof(fc.constantFrom("hostile.*", "*"), hostileString),
    filter: expression,
  }),
);

const documentArbitrary = fc
  .record(
    {
      name: fc.oneof(
        { weight: 3, arbitrary: fc.constant("fuzz:generated") },
        { weight: 1, arbitrary: hostileString },
      ),
      description: fc.oneof(fc.constant("generated"), hostileString),
      version: fc.oneof(
        {
          weight: 3,
          arbitrary: fc.tuple(fc.nat(99), fc.nat(99)).map(([minor, patch]) => `1.${minor}.${patch}`),
        },
        { weight: 1, arbitrary: hostileString },
      ),
      schema_version: fc.oneof(fc.constant(2), fc.constant(1), hostileJson),
      config: hostileJson,
      inputs: fc.dictionary(
        hostileKey,
        fc.record(
          {
            type: fc.constantFrom("string", "number", "array", "object", "any", "bogus"),
            required: fc.boolean(),
            default: hostileJson,
            description: hostileString,
          },
          { requiredKeys: ["type"] },
        ),
        { maxKeys: 2 },
      ),
      default_state: fc.record({ state: fc.dictionary(hostileKey, hostileJson, { maxKeys: 3 }) }),
      state_schema: fc.record({
        computed: fc.dictionary(
          hostileKey,
          fc.record(
            {
              from: fc.oneof(statePath, fc.array(statePath, { maxLength: 2 }), template),
              transform: expression,
              on_error: fc.constantFrom("use_fallback", "propagate", "ignore", "explode"),
              fallback: hostileJson,
            },
            { requiredKeys: ["from"] },
          ),
          { maxKeys: 2 },
        ),
      }),
      steps: fc.array(stepArbitrary, { minLength: 1, maxLength: 4 }),
      triggers: fc.array(triggerArbitrary, { maxLength: 2 }),
      dependencies: fc.dictionary(
        hostileKey,
        fc.oneof(
          fc.array(fc.oneof(hostileString, fc.record({ condition: template })), { maxLength: 3 }),
          fc.record(
            {
              needs: fc.array(hostileString, { maxLength: 2 }),
              when: template,
              for_each: template,
              priority: hostileJson,
            },
            { requiredKeys: [] },
          ),
        ),
        { maxKeys: 3 },
      ),
      sub_agent_tasks: fc.dictionary(
        hostileKey,
        fc.record({ description: hostileString, steps: fc.array(stepArbitrary, { maxLength: 2 }) }),
        { maxKeys: 1 },
      ),
    },
    { requiredKeys: ["name", "description", "version", "steps"] },
  )
  .map((document) => stringify(document));

let plausibleVersion = 0;

/** Steps that load, with hostile values where the dialect takes free-form data or expressions. */
const plausibleStep = fc.oneof(
  template.map((message) => ({ type: "user_message", message })),
  fc.tuple(hostileJson, statePath).map(([parameters, path]) => ({
    type: "mcp_call",
    tool: "t",
    parameters: { p: parameters },
    store_result: path,
  })),
  fc
    .tuple(statePath, fieldValue)
    .map(([path, value]) => ({ type: "set_state", state_update: { path, value } })),
  template.map((condition) => ({
    type: "conditional",
    condition,
    then_steps: [{ id: "then_msg", type: "user_message", message: "then" }],
  })),
  template.map((items) => ({
    type: "foreach",
    items,
    body: [{ id: "each_msg", type: "user_message", message: "{{ item }}" }],
  })),
  fc.nat(3).map((seconds) => ({ type: "wait_step", seconds })),
  template.map((prompt) => ({
    type: "agent_prompt",
    prompt,
    state_update: { path: "this.x", value: "{{ response }}" },
  })),
);

const plausibleDocument = fc
  .tuple(
    fc.array(plausibleStep, { minLength: 1, maxLength: 4 }),
    fc.dictionary(hostileKey, hostileJson, { maxKeys: 3 }),
    fc.option(fc.record({ from: statePath, transform: expression }), { nil: undefined }),
  )
  .map(([steps, state, computed]) =>
    stringify({
      name: "fuzz:plausible",
      description: "loads, with hostile values",
      version: `2.${plausibleVersion++}.0`,
      inputs: { name: { type: "any", required: false } },
      default_state: { state: { x: 1, count: 0, ...state } },
      ...(computed === undefined ? {} : { state_schema: { computed: { y: computed } } }),
      steps: steps.map((step, index) => ({ id: `step_${index}`, ...step })),
    }),
  );
describe("hostile workflow files", () => {
  it(
    `generated workflow-shaped documents (${GENERATED_DOCUMENTS})`,
    async () => {
      let index = 0;
      await fc.assert(
        fc.asyncProperty(documentArbitrary, (yaml) => exercise("generated", yaml, index++)),
        { numRuns: GENERATED_DOCUMENTS },
      );
      harness.expectQuietLog();
    },
    GENERATED_SUITE_TIMEOUT_MS,
  );

  it(
    `plausible documents with hostile values, published and run (${PLAUSIBLE_DOCUMENTS})`,
    async () => {
      let index = 0;
      await fc.assert(
        fc.asyncProperty(plausibleDocument, (yaml) => exercise("plausible", yaml, 3 * index++)),
        { numRuns: PLAUSIBLE_DOCUMENTS },
      );
      harness.expectQuietLog();
    },
    GENERATED_SUITE_TIMEOUT_MS,
  );

  it(
    `random edits of valid fixtures (${MUTATED_FIXTURES})`,
    async () => {
      const pieces = [
        ":",
        "- ",
        "  ",
        "\n",
        "{{",
        "}}",
        "&a ",
        "*a",
        "<<: *a",
        "[",
        "]",
        "{",
        "}",
        "#",
        "'",
        '"',
        "!!js/function ",
        "__proto__: ",
        "constructor: ",
        "{{ while(true){} }}",
        "\t",
        "\u0000",
        "\ud800",
      ];
      let index = 0;
      await fc.assert(
        fc.asyncProperty(mutatedText(FIXTURES, pieces), (yaml) => exercise("mutated", yaml, index++)),
        { numRuns: MUTATED_FIXTURES },
      );
      harness.expectQuietLog();
    },
    GENERATED_SUITE_TIMEOUT_MS,
  );

  it(
    `random YAML and text (${RANDOM_YAML})`,
    async () => {
      const text = fc.oneof(
        hostileJson.map((value) => stringify(value)),
        fc.string({ maxLength: 300 }),
        fc.string({ unit: "binary", maxLength: 300 }),
      );
      let index = 0;
      await fc.assert(
        fc.asyncProperty(text, (yaml) => exercise("random", yaml, index++)),
        { numRuns: RANDOM_YAML },
      );
      harness.expectQuietLog();
    },
    GENERATED_SUITE_TIMEOUT_MS,
  );

  it("alias bombs, deep nesting, huge files, tags", async () => {
    const laughs = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]'];
    for (let level = 1; level < 10; level += 1) {
      const previous = String.fromCharCode(96 + level);
      const next = String.fromCharCode(97 + level);
      laughs.push(`${next}: &${next} [${Array(9).fill(`*${previous}`).join(", ")}]`);
    }
    const header = 'name: "fuzz:classic"\ndescription: "x"\nversion: "1.0.0"\n';
    const step = 'steps:\n  - id: "s"\n    type: "user_message"\n    message: "hi"\n';
    const classics = [
      laughs.join("\n"),
      `${header}${step}default_state:\n  state:\n${laughs.map((line) => `    ${line}`).join("\n")}\n`,
      `${header}${step}config: &c {a: *c}\n`,
      `${header}${step}config: ${"[".repeat(100_000)}${"]".repeat(100_000)}\n`,
      `${header}${step}config: ${"{a: ".repeat(50_000)}1${"}".repeat(50_000)}\n`,
      `${header}${step}config:\n${Array.from({ length: 2_000 }, (_, depth) => `${"  ".repeat(depth + 1)}k:`).join("\n")} 1\n`,
      `${header}${step}config: !!js/function "function(){ while(true){} }"\n`,
      `${header}${step}config: !!binary "AAAA"\n`,
      `${header}${step}config: !custom {a: 1}\n`,
      `${header}${step}config: !!timestamp 2001-12-14t21:59:43.10-05:00\n`,
      `%YAML 1.1\n---\n${header}${step}`,
      `${header}${step}---\n${header}${step}`,
      `${header}${"# comment\n".repeat(120_000)}${step}`,
      `${header}${step}`.repeat(3_000),
      `${header}steps:\n${Array.from({ length: 20_000 }, (_, n) => `  - {id: "s${n}", type: "user_message", message: "m"}`).join("\n")}\n`,
      `${header}steps: &s\n  - id: "s"\n    type: "conditional"\n    condition: "true"\n    then_steps: *s\n`,
      `\ufeff${header}${step}`,
      // a length trap where a string belongs (zod threw: was loader.internal_error)
      `${header}steps:\n  - id: "s"\n    type: mcp_call\n    tool: {length: {toString: {}}}\n`,
      // a phase-5 file whose upgrade moved an anchor after its alias (was loader.internal_error)
      'name: "x"\ndescription: ""\nversion: 1.0.0\nsteps:\n  - id: ""\n    type: user_message\n    body:\n      - id: s1\n        type: state_update\n        state_update:\n          path: ""\n          value:\n            "":\n              __proto__:\n                __proto__:\n                  - &a1\n                    "0": a\n        body:\n          - id: ""\n            type: user_message\n            message:\n              - - __proto__: *a1\n',
      `${header.replace('"x"', `"${"\u0000".repeat(10)}"`)}${step}`,
    ];
    for (const [index, yaml] of classics.entries()) await exercise("classic:bomb", yaml, index * 3);
    // over the 1 MiB loader limit but under the body limit, and over the body limit
    await exercise("classic:bomb", `${header}${step}# ${"x".repeat(1024 * 1024 - 200)}\n`, 0);
    const tooLarge = await harness.send("classic:bomb", "/mcp", {
      method: "POST",
      headers: mcpHeaders(tenant.apiKey),
      body: toolCallBody("workflow_publish", { yaml: `${header}${step}# ${"x".repeat(10 * 1024 * 1024)}` }),
    });
    expect(tooLarge.status).toBe(413);
    harness.expectQuietLog();
  });

  it("__proto__, constructor and prototype as YAML keys, merge keys, ids and names", async () => {
    const header = 'description: "x"\nversion: "1.0.0"\n';
    const step = 'steps:\n  - id: "s"\n    type: "user_message"\n    message: "{{ this.x }}"\n';
    const documents = [
      `__proto__: {polluted: 1}\nname: "proto:a"\n${header}${step}`,
      `name: "proto:b"\n${header}${step}default_state:\n  state:\n    __proto__: {polluted: 1}\n    x: 1\n`,
      `name: "proto:c"\n${header}${step}default_state:\n  state:\n    constructor: {prototype: {polluted: 1}}\n`,
      `name: "proto:d"\n${header}${step}inputs:\n  __proto__: {type: "string"}\n`,
      `name: "proto:e"\n${header}${step}state_schema:\n  computed:\n    __proto__: {from: "this.x"}\n`,
      `name: "proto:f"\n${header}${step}state_schema:\n  computed:\n    y: {from: "this.__proto__", transform: "input.polluted = 1"}\n`,
      `name: "proto:g"\n${header}base: &b {__proto__: {polluted: 1}}\nconfig:\n  <<: *b\n${step}`,
      `name: "proto:h"\n${header}config:\n  <<: {__proto__: {polluted: 1}}\n${step}`,
      `name: "__proto__"\n${header}${step}`,
      `name: "constructor:prototype"\n${header}${step}`,
      `name: "proto:i"\n${header}steps:\n  - id: "__proto__"\n    type: "user_message"\n    message: "x"\n`,
      `name: "proto:j"\n${header}steps:\n  - id: "s"\n    type: "set_state"\n    state_update: {path: "this.__proto__.polluted", value: 1}\n`,
      `name: "proto:k"\n${header}steps:\n  - id: "s"\n    type: "set_state"\n    state_update: {path: "this.x", value: {__proto__: {polluted: 1}}}\n`,
      `name: "proto:l"\n${header}${step}sub_agent_tasks:\n  __proto__: {description: "x", steps: []}\n`,
      `name: "proto:m"\n${header}${step}dependencies:\n  __proto__: []\n  constructor: [prototype]\n`,
      `name: "proto:n"\n${header}${step}triggers:\n  - type: event\n    event_type: "x"\n    inputs_mapping: {__proto__: "1", constructor: "2"}\n`,
    ];
    for (const [index, yaml] of documents.entries()) await exercise("classic:proto", yaml, index * 3);
    harness.expectPrototypesIntact();
    harness.expectQuietLog();
  });

  it("still serves normal work afterwards", () => expectStillServing(tenant.apiKey));
});
