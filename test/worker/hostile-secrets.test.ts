import { describe, expect, it } from "vitest";
import { postEvent, setSecret } from "./support/events.ts";
import { expectStillServing, hostileSuite } from "./support/hostile-suite.ts";
import { storeUnchecked } from "./support/store-unchecked.ts";

const SECRET = "sk_live_Hq3vR8mZt5Yw1Lc9";

const suite = hostileSuite({
  suite: "secrets",
  minimum: 700,
  tenantPrefix: "hostile-sec",
  setup: (tenant) => setSecret(tenant.id, "API_TOKEN", SECRET),
});
const { harness, tenant } = suite;

/** How an expression names the secret. */
const READS = [
  "env.API_TOKEN",
  "env['API_TOKEN']",
  "env?.API_TOKEN",
  "Object.values(env)[0]",
  "JSON.stringify(env)",
];

/** What it does to it, in JavaScript and on the host (to look for the result in answers). */
const TRANSFORMS: [(x: string) => string, (s: string) => string][] = [
  [(x) => x, (s) => s],
  [(x) => `${x}.split('').join(' ')`, (s) => s.split("").join(" ")],
  [(x) => `${x}.split('').reverse().join('')`, (s) => [...s].reverse().join("")],
  [
    (x) => `Array.from(${x}, (c) => c.charCodeAt(0)).join(',')`,
    (s) => Array.from(s, (c) => c.charCodeAt(0)).join(","),
  ],
  [
    (x) => `Array.from(${x}, (c) => c.charCodeAt(0).toString(16)).join('')`,
    (s) => Array.from(s, (c) => c.charCodeAt(0).toString(16)).join(""),
  ],
  [(x) => `${x}.slice(3, 15)`, (s) => s.slice(3, 15)],
];

/** Where the expression goes, as the YAML body that puts `code` there. */
const PLACES: Record<string, (code: string) => string> = {
  template: (code) =>
    `steps:\n  - {id: m, type: user_message, message: ${JSON.stringify(`v {{ ${code} }}`)}}\n`,
  condition: (code) =>
    `steps:\n  - {id: c, type: conditional, condition: ${JSON.stringify(code)}, then_steps: [{id: t, type: user_message, message: hi}]}\n`,
  state_value: (code) =>
    `steps:\n  - {id: s, type: set_state, state_update: {path: this.x, value: ${JSON.stringify(`{{ ${code} }}`)}}}\n  - {id: m, type: user_message, message: "{{ this.x }}"}\n`,
  transform: (code) =>
    `state_schema:\n  computed:\n    y: {from: this.x, transform: ${JSON.stringify(code)}}\nsteps:\n  - {id: m, type: user_message, message: "{{ this.y }}"}\n`,
  computed_from: (code) =>
    `state_schema:\n  computed:\n    y: {from: ${JSON.stringify(`{{ ${code} }}`)}, transform: input}\nsteps:\n  - {id: m, type: user_message, message: "{{ this.y }}"}\n`,
  while_loop: (code) =>
    `steps:\n  - {id: w, type: while_loop, condition: ${JSON.stringify(`{{ ${code} }}`)}, max_iterations: 2, body: [{id: b, type: user_message, message: loop}]}\n`,
  foreach_items: (code) =>
    `steps:\n  - {id: f, type: foreach, items: ${JSON.stringify(`{{ [${code}] }}`)}, body: [{id: b, type: user_message, message: "{{ item }}"}]}\n`,
  dependency_condition: (code) =>
    `steps:\n  - {id: g, type: dependency_flow}\ndependencies:\n  first: [{condition: ${JSON.stringify(`{{ ${code} }}`)}}]\n`,
  trigger_filter: (code) =>
    `triggers:\n  - {type: event, event_type: hostile.secret, filter: ${JSON.stringify(code)}}\nsteps:\n  - {id: m, type: user_message, message: hi}\n`,
  trigger_mapping: (code) =>
    `triggers:\n  - {type: event, event_type: hostile.secret, inputs_mapping: {x: ${JSON.stringify(code)}}}\nsteps:\n  - {id: m, type: user_message, message: hi}\n`,
  // capability fields: only {{ env.NAME }} and literal text; an expression is refused there too
  webhook_secret: (code) =>
    `triggers:\n  - {type: webhook, endpoint: /sec, secret: ${JSON.stringify(`{{ ${code} }}`)}}\nsteps:\n  - {id: m, type: user_message, message: hi}\n`,
  external_call_auth: (code) =>
    `services:\n  api: {uses: "http@^1", config: {base_url: "https://api.example"}}\nsteps:\n  - {id: x, type: external_call, service: api, method: get, auth: {type: bearer, token: ${JSON.stringify(`Bearer {{ ${code} }}`)}}}\n`,
  external_state_config: (code) =>
    // redis: a backend whose url is a secret field, whatever catalog is installed
    `external_state:\n  backend: redis\n  config: {url: ${JSON.stringify(`{{ ${code} }}`)}}\nsteps:\n  - {id: m, type: user_message, message: hi}\n`,
};

const CAPABILITY_PLACES = new Set(["webhook_secret", "external_call_auth", "external_state_config"]);

/** Fails if `text` holds the secret or `transformed` (the secret as the expression would make it). */
function expectNoSecret(text: string, transformed: string): void {
  expect(text).not.toContain(SECRET);
  expect(text).not.toContain(transformed);
  expect(text).not.toContain(JSON.stringify(transformed).slice(1, -1));
}

async function storeUncheckedCounted(yaml: string): Promise<void> {
  harness.count("stored");
  await storeUnchecked(tenant.id, yaml);
}

describe("hostile secret reads", () => {
  it.for(Object.keys(PLACES))("in a %s: refused at publish, and nothing comes back", async (place) => {
    let index = 0;
    for (const read of READS) {
      for (const [wrap, apply] of TRANSFORMS) {
        index += 1;
        const name = `secret:${place.replaceAll("_", "-")}-${index}`;
        const code = wrap(read);
        const yaml = `name: "${name}"\ndescription: "x"\nversion: "1.0.0"\ndefault_state:\n  state:\n    x: 1\n${PLACES[place]!(code)}`;
        const transformed = apply(
          read === "JSON.stringify(env)" ? JSON.stringify({ API_TOKEN: SECRET }) : SECRET,
        );
        // {{ env.API_TOKEN }} itself is what a capability field is for: published, never echoed
        const reference = CAPABILITY_PLACES.has(place) && code === "env.API_TOKEN";
        const expected = CAPABILITY_PLACES.has(place)
          ? "secret.invalid_reference"
          : "expression.env_not_allowed";

        const validated = await suite.tool("secret", "workflow_validate", { yaml });
        // what plugins resolve to depends on the catalog installed, not on how a secret is named
        const errors = ((validated.structured.errors ?? []) as { code: string; line?: number }[]).filter(
          (error) => !/^(plugin|service)\./.test(error.code),
        );
        expect(errors.map((error) => error.code)).toEqual(reference ? [] : [expected]);
        const published = await suite.tool("secret", "workflow_publish", { yaml });
        for (const answer of [validated, published]) expectNoSecret(answer.text, transformed);
        if (reference) continue;
        expect(errors[0]?.line).toBeGreaterThan(0);
        expect(published.structured.workflow).toBeUndefined();

        // every third one is stored past the checks, as an old version would be, and driven
        if (index % 3 !== 0 || CAPABILITY_PLACES.has(place)) continue;
        await storeUncheckedCounted(yaml);
        const texts = [(await suite.tool("run", "workflow_start", { workflow: name })).text];
        if (place.startsWith("trigger")) {
          harness.count("event");
          texts.push(JSON.stringify(await postEvent(tenant.apiKey, { type: "hostile.secret" })));
        }
        const runId = /"workflow_id":"(wf_[0-9a-f]+)"/.exec(texts[0] ?? "")?.[1];
        if (runId !== undefined) {
          for (const tool of ["workflow_get_next_step", "workflow_get_status", "workflow_events"]) {
            texts.push(
              (await suite.tool("run", tool, tool === "workflow_events" ? {} : { workflow_id: runId })).text,
            );
          }
        }
        for (const text of texts) expectNoSecret(text, transformed);
      }
    }
  });

  it("still serves normal work afterwards", () => expectStillServing(tenant.apiKey));
});
