/**
 * @module
 * Secrets are capabilities: a capability field's `{{ env.NAME }}` is substituted on the host
 * (`resolveSecretTemplate`), never evaluated; the step machine has no `env` to hand an
 * expression, and the evaluator the runtimes use refuses any source that names `env`
 * (`refuseEnvReferences`), so a definition stored before publish refused it fails with
 * `expression.env_not_allowed` instead of reading anything.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Evaluator } from "../../../engine/expressions/evaluator.ts";
import { createEvaluator } from "../../../engine/expressions/quickjs-evaluator.ts";
import { envReferenceError, refuseEnvReferences } from "../../../engine/secrets/env-references.ts";
import { parseSecretTemplate, resolveSecretTemplate } from "../../../engine/secrets/secret-template.ts";
import { loadSource, ScriptedAgent } from "../machine/agent.ts";

let sandbox: Evaluator;
beforeAll(async () => {
  sandbox = await createEvaluator();
});
afterAll(() => sandbox.dispose());

const SECRETS = { API_TOKEN: "tok_Q7zX9pLw2Kd4", USER: "ada" };

describe("resolveSecretTemplate", () => {
  it("substitutes every {{ env.NAME }}, alone or in literal text", () => {
    expect(resolveSecretTemplate("{{ env.API_TOKEN }}", SECRETS)).toBe(SECRETS.API_TOKEN);
    expect(resolveSecretTemplate("Bearer {{env.API_TOKEN}}", SECRETS)).toBe(`Bearer ${SECRETS.API_TOKEN}`);
    expect(resolveSecretTemplate("redis://{{ env.USER }}:{{ env.API_TOKEN }}@h", SECRETS)).toBe(
      `redis://ada:${SECRETS.API_TOKEN}@h`,
    );
    expect(resolveSecretTemplate("plain text", SECRETS)).toBe("plain text");
  });

  it("gives nothing for an unset secret, an inherited name, or anything that is not a reference", () => {
    for (const text of [
      "{{ env.MISSING }}",
      "{{ env.constructor }}",
      "{{ env.toString }}",
      "{{ env.API_TOKEN.split('').join(' ') }}",
      "{{ env['API_TOKEN'] }}",
      "{{ inputs.x }}",
      "{{ env.API_TOKEN",
    ]) {
      expect(resolveSecretTemplate(text, SECRETS), text).toBeUndefined();
    }
  });

  it("reports what is wrong with a capability field, at its {{", () => {
    expect(parseSecretTemplate("ok {{ env.A }} and {{ env.A + 1 }}")).toEqual({
      ok: false,
      problem: expect.objectContaining({ code: "secret.invalid_reference", offset: 19 }),
    });
    expect(parseSecretTemplate("{{ }}")).toMatchObject({ ok: false, problem: { code: "template.empty" } });
  });
});

describe("the step machine cannot obtain a secret", () => {
  const definition = loadSource(`
name: "test:env-at-run-time"
description: "a definition that was stored before env was refused"
version: "1.0.0"
default_state:
  state:
    copied: ""
steps:
  - id: "copy"
    type: "set_state"
    state_update: { path: "this.copied", value: "{{ env.API_TOKEN.split('').join(' ') }}" }
`);

  it("with the runtimes' evaluator: the run fails with expression.env_not_allowed", () => {
    const agent = new ScriptedAgent(definition, refuseEnvReferences(sandbox));
    expect(agent.run.status).toBe("failed");
    expect(agent.run.error).toMatchObject({ code: "expression.env_not_allowed" });
    expect(agent.run.main.state.state.copied).toBe("");
  });

  it("even with the bare sandbox: env is not bound, so there is nothing to read", () => {
    const agent = new ScriptedAgent(definition, sandbox);
    expect(agent.run.status).toBe("failed");
    expect(agent.run.error).toMatchObject({ code: "expression.runtime" });
    expect(agent.run.main.state.state.copied).toBe("");
  });

  it("the guard refuses env even if a caller bound it", () => {
    const guarded = refuseEnvReferences(sandbox);
    expect(() => guarded.evaluate("env.API_TOKEN", { env: SECRETS })).toThrow(
      expect.objectContaining({ code: "expression.env_not_allowed", line: 1, column: 1 }),
    );
    expect(() => guarded.check("1 +\n  env.X")).toThrow(expect.objectContaining({ line: 2, column: 3 }));
    expect(guarded.evaluate("this.env + event.env", { this: { env: "a" }, event: { env: "b" } })).toBe("ab");
  });

  it("finds env only where it is read", () => {
    expect(envReferenceError("'env' + `env` + /env/.source // env")).toBeUndefined();
    expect(envReferenceError("x . env")).toBeUndefined();
    expect(envReferenceError("\\u0065nv.A")?.code).toBe("expression.env_not_allowed");
  });
});
