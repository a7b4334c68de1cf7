import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { callTool, newTenant, toolErrorOf } from "./support/clients.ts";
import { eventLog, postEvent, postHook, setSecret, settledEvent, sign } from "./support/events.ts";
import { callToolWithPlugins } from "./support/plugin-tools.ts";
import { storeUnchecked } from "./support/store-unchecked.ts";

const TOKEN = "tok_Q7zX9pLw2Kd4mN8v";
const LEAK = "env.API_TOKEN.split('').join(' ')";

interface Variant {
  /** what the site is */
  site: string;
  /** the YAML path of the diagnostic */
  path: string;
  yaml: (name: string, expression: string) => string;
}

const head = (name: string) => `name: "${name}"\ndescription: "reads a secret"\nversion: "1.0.0"\n`;
const message = `steps:\n  - id: "show"\n    type: "user_message"\n    message: "hello"\n`;

const VARIANTS: Variant[] = [
  {
    site: "a step template",
    path: "steps[0].message",
    yaml: (name, e) =>
      `${head(name)}steps:\n  - id: "show"\n    type: "user_message"\n    message: "token {{ ${e} }}"\n`,
  },
  {
    site: "a condition",
    path: "steps[0].condition",
    yaml: (name, e) =>
      `${head(name)}steps:\n  - id: "check"\n    type: "conditional"\n    condition: "${e} !== ''"\n    then_steps:\n      - id: "yes"\n        type: "user_message"\n        message: "yes"\n`,
  },
  {
    site: "a computed transform",
    path: "state_schema.computed.shown.transform",
    yaml: (name, e) =>
      `${head(name)}default_state:\n  state:\n    n: 1\nstate_schema:\n  computed:\n    shown:\n      from: "this.n"\n      transform: "${e}"\n${message}`,
  },
  {
    site: "a state_update value",
    path: "steps[0].state_update.value",
    yaml: (name, e) =>
      `${head(name)}default_state:\n  state:\n    copied: ""\nsteps:\n  - id: "copy"\n    type: "set_state"\n    state_update:\n      path: "this.copied"\n      value: "{{ ${e} }}"\n  - id: "show"\n    type: "user_message"\n    message: "{{ this.copied }}"\n`,
  },
  {
    site: "a trigger filter",
    path: "triggers[0].filter",
    yaml: (name, e) =>
      `${head(name)}triggers:\n  - type: event\n    event_type: "leak.${name}"\n    filter: "${e} !== ''"\n${message}`,
  },
  {
    site: "a trigger mapping",
    path: "triggers[0].inputs_mapping.shown",
    yaml: (name, e) =>
      `${head(name)}inputs:\n  shown:\n    type: string\n    required: false\ntriggers:\n  - type: event\n    event_type: "leak.${name}"\n    inputs_mapping:\n      shown: "${e}"\n${message}`,
  },
  {
    site: "a dependency condition",
    path: "dependencies.leak[0].condition",
    yaml: (name, e) =>
      `${head(name)}dependencies:\n  leak:\n    - condition: "{{ ${e} }}"\nsteps:\n  - id: "graph"\n    type: "dependency_flow"\n`,
  },
];

/** 1-based line and column of the first `env.` in `yaml`: where the diagnostic must point. */
function positionOfEnv(yaml: string): { line: number; column: number } {
  const offset = yaml.indexOf("env.");
  const before = yaml.slice(0, offset).split("\n");
  return { line: before.length, column: (before.at(-1)?.length ?? 0) + 1 };
}

async function tenantWithToken(): Promise<{ id: string; apiKey: string }> {
  const tenant = await newTenant("cap");
  await setSecret(tenant.id, "API_TOKEN", TOKEN);
  return tenant;
}

describe("env in an expression is refused at publish", () => {
  it.each(VARIANTS)("in $site: workflow_validate and workflow_publish, located", async (variant) => {
    const { apiKey } = await tenantWithToken();
    const yaml = variant.yaml("leak:a", LEAK);
    const expected = { code: "expression.env_not_allowed", path: variant.path, ...positionOfEnv(yaml) };

    const validated = await callTool(apiKey, "workflow_validate", { yaml });
    expect(validated.structured.valid).toBe(false);
    const errors = validated.structured.errors as { code: string; message: string }[];
    expect(errors).toEqual([expect.objectContaining(expected)]);
    expect(errors[0]?.message).toContain("external_call.auth");
    expect(errors[0]?.message).toContain("webhook trigger's secret");

    const published = await callTool(apiKey, "workflow_publish", { yaml });
    expect(toolErrorOf(published)).toMatchObject({ code: "workflow.invalid", path: variant.path });
    expect(published.structured.errors).toEqual([expect.objectContaining(expected)]);
    expect((await callTool(apiKey, "workflow_list")).structured.count).toBe(0);
    for (const call of [validated, published]) expect(call.text).not.toContain(TOKEN);
  });

  it("a capability field takes {{ env.NAME }} and literal text, never an expression", async () => {
    const { id } = await tenantWithToken();
    // the redis backend comes from the test catalog, where its url is a secret field
    const validate = (yaml: string) => callToolWithPlugins(id, "workflow_validate", { yaml });
    const yaml = (secret: string, url: string) =>
      `${head("cap:fields")}triggers:\n  - type: webhook\n    endpoint: /cap\n    secret: "${secret}"\nexternal_state:\n  backend: redis\n  config:\n    url: "${url}"\n${message}`;
    const good = await validate(
      yaml("{{ env.WEBHOOK_SECRET }}", "redis://:{{ env.REDIS_PASSWORD }}@cache:6379"),
    );
    expect(good.structured).toMatchObject({ valid: true, errors: [] });

    const bad = yaml("{{ env.WEBHOOK_SECRET.slice(1) }}", "{{ inputs.url }}");
    const refused = await validate(bad);
    expect(refused.structured.errors).toEqual([
      expect.objectContaining({
        code: "secret.invalid_reference",
        path: "triggers[0].secret",
        line: 7,
        column: 14,
      }),
      expect.objectContaining({
        code: "secret.invalid_reference",
        path: "external_state.config.url",
        line: 11,
        column: 11,
      }),
    ]);
  });
});

describe("a webhook secret is resolved on the host", () => {
  it("interpolated in literal text, it verifies deliveries signed with the whole value", async () => {
    const { id, apiKey } = await tenantWithToken();
    await setSecret(id, "HOOK_PART", "part_9f3k");
    const yaml = `${head("cap:hook")}triggers:\n  - type: webhook\n    endpoint: /cap-hook\n    signature: github\n    secret: "prefix-{{ env.HOOK_PART }}-suffix"\n${message}`;
    expect((await callTool(apiKey, "workflow_publish", { yaml })).isError).toBe(false);
    const body = JSON.stringify({ ok: true });
    const signedRight = await sign("github", "prefix-part_9f3k-suffix", body);
    const accepted = await postHook(id, "/cap-hook", body, { ...signedRight, "x-github-event": "push" });
    expect(accepted.status).toBe(202);
    const signedWithPart = await sign("github", "part_9f3k", body);
    const refused = await postHook(id, "/cap-hook", body, { ...signedWithPart, "x-github-event": "push" });
    expect(refused.status).toBe(401);
    expect(JSON.stringify([accepted.body, refused.body, await eventLog(apiKey)])).not.toContain("part_9f3k");
  });
});

describe("env in a subscription made over MCP", () => {
  it("workflow_subscribe_events refuses a filter or mapping that names env", async () => {
    const { apiKey } = await tenantWithToken();
    const published = await callTool(apiKey, "workflow_publish", { yaml: `${head("cap:sub")}${message}` });
    expect(published.isError).toBe(false);
    for (const [args, path] of [
      [{ filter: LEAK }, "filter"],
      [{ inputs_mapping: { x: `{{ ${LEAK} }}` } }, "inputs_mapping.x"],
    ] as const) {
      const call = await callTool(apiKey, "workflow_subscribe_events", {
        event_pattern: "leak.*",
        workflow: "cap:sub",
        ...args,
      });
      expect(toolErrorOf(call)).toMatchObject({ code: "expression.env_not_allowed", path });
      expect(call.text).not.toContain(TOKEN);
    }
  });
});

describe("a definition stored before the check cannot obtain the secret", () => {
  const runSites = VARIANTS.filter((variant) => !variant.path.startsWith("triggers"));

  it.each(runSites)("in $site: the run fails with expression.env_not_allowed", async (variant) => {
    const { id, apiKey } = await tenantWithToken();
    await storeUnchecked(id, variant.yaml("leak:b", LEAK));
    const started = await callTool(apiKey, "workflow_start", { workflow: "leak:b" });
    const texts = [started.text];
    const runId = started.structured.workflow_id as string | undefined;
    if (runId !== undefined) {
      for (const tool of ["workflow_get_next_step", "workflow_get_status"]) {
        texts.push((await callTool(apiKey, tool, { workflow_id: runId })).text);
      }
    }
    // the start, the step or the run's status says why
    expect(texts.join("\n")).toContain("expression.env_not_allowed");
    const spaced = TOKEN.split("").join(" ");
    for (const text of texts) {
      expect(text).not.toContain(TOKEN);
      expect(text).not.toContain(spaced);
    }
  });

  it.each(VARIANTS.filter((variant) => variant.path.startsWith("triggers")))(
    "in $site: the event is logged with the coded error, no run gets the secret",
    async (variant) => {
      const { id, apiKey } = await tenantWithToken();
      await storeUnchecked(id, variant.yaml("leak:c", LEAK));
      const res = await postEvent(apiKey, { type: "leak.leak:c" });
      const event = await settledEvent(apiKey, res.body.event_id!);
      const logged = JSON.stringify([event, await eventLog(apiKey)]);
      expect(logged).toContain("expression.env_not_allowed");
      expect(logged).not.toContain(TOKEN);
      expect(logged).not.toContain(TOKEN.split("").join(" "));
    },
  );
});

/** A transformation of the secret, as JavaScript over `x` and as the host computes it. */
interface Transformation {
  source: (x: string) => string;
  apply: (secret: string) => string;
}

const transformation: fc.Arbitrary<Transformation> = fc.oneof(
  fc.constantFrom<Transformation>(
    { source: (x) => `${x}.split('').join(' ')`, apply: (s) => s.split("").join(" ") },
    { source: (x) => `${x}.split('').reverse().join('')`, apply: (s) => [...s].reverse().join("") },
    {
      source: (x) => `Array.from(${x}, (c) => c.charCodeAt(0)).join(',')`,
      apply: (s) => Array.from(s, (c) => c.charCodeAt(0)).join(","),
    },
    {
      source: (x) => `Array.from(${x}, (c) => c.charCodeAt(0).toString(16)).join('')`,
      apply: (s) => Array.from(s, (c) => c.charCodeAt(0).toString(16)).join(""),
    },
    { source: (x) => `${x}.toUpperCase()`, apply: (s) => s.toUpperCase() },
    { source: (x) => `JSON.stringify([${x}])`, apply: (s) => JSON.stringify([s]) },
    { source: (x) => `encodeURIComponent(${x} + '/')`, apply: (s) => encodeURIComponent(`${s}/`) },
    {
      source: (x) => `[...${x}].map((c) => c + c).join('')`,
      apply: (s) => [...s].map((c) => c + c).join(""),
    },
  ),
  fc
    .tuple(fc.integer({ min: 0, max: TOKEN.length - 8 }), fc.integer({ min: 8, max: TOKEN.length }))
    .map(([start, length]) => ({
      source: (x: string) => `${x}.slice(${start}, ${start + length})`,
      apply: (s: string) => s.slice(start, start + length),
    })),
);

/** How the expression names the secret: the plain member read and its spellings. */
const secretRead = fc.constantFrom("env.API_TOKEN", "env['API_TOKEN']", "env?.API_TOKEN", "(env).API_TOKEN");

describe("property: no transformation of a secret comes back", () => {
  it("from any non-capability site: refused at publish, and no answer holds it when stored unchecked", async () => {
    const { id, apiKey } = await tenantWithToken();
    let index = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...VARIANTS.filter((variant) => !variant.path.startsWith("triggers"))),
        transformation,
        secretRead,
        async (variant, transform, read) => {
          index += 1;
          const name = `leak:p${index}`;
          const yaml = variant.yaml(name, transform.source(read));
          const validated = await callTool(apiKey, "workflow_validate", { yaml });
          expect(validated.structured.errors).toEqual([
            expect.objectContaining({ code: "expression.env_not_allowed", path: variant.path }),
          ]);
          await storeUnchecked(id, yaml);
          const started = await callTool(apiKey, "workflow_start", { workflow: name });
          const texts = [validated.text, started.text];
          const runId = started.structured.workflow_id as string | undefined;
          if (runId !== undefined) {
            texts.push((await callTool(apiKey, "workflow_get_status", { workflow_id: runId })).text);
          }
          const transformed = transform.apply(TOKEN);
          for (const text of texts) {
            expect(text).not.toContain(TOKEN);
            expect(text).not.toContain(transformed);
            expect(text).not.toContain(JSON.stringify(transformed).slice(1, -1));
          }
        },
      ),
      { numRuns: 24 },
    );
  });
});
