/**
 * external_call / notify in the pure machine: the effect handed out (params rendered, auth
 * unresolved, idempotency key per position), store_result and state_update with the result,
 * error_handling (retry with jitter and Retry-After, fallback, continue), duplicates ignored,
 * agents cannot complete an effect, and on_complete/on_failure added once at the run's end.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Evaluator } from "../../../engine/expressions/evaluator.ts";
import { createEvaluator } from "../../../engine/expressions/quickjs-evaluator.ts";
import { nextWakeAt } from "../../../engine/machine/index.ts";
import type { EffectOutcome } from "../../../engine/plugins/effect.ts";
import { loadSource, ScriptedAgent } from "./agent.ts";

let evaluator: Evaluator;
beforeAll(async () => {
  evaluator = await createEvaluator();
});
afterAll(() => evaluator.dispose());

const CALL = `
name: test:effects
description: calls a service in a loop
version: 1.0.0
default_state:
  state: { items: [a, b], results: [], last: null }
on_complete: { channel: ops, message: "done with {{ this.results.length }}" }
on_failure: { channel: ops, message: "failed" }
steps:
  - id: each
    type: foreach
    items: "{{ this.items }}"
    steps:
      - id: call
        type: external_call
        service: api
        method: deploy
        params: { item: "{{ loop.item }}" }
        auth: { type: bearer, token: "{{ env.API_TOKEN }}" }
        store_result: this.last
        state_update: { path: this.results, operation: append, value: "{{ result.id }}" }
        ERROR_HANDLING
`;

function agentFor(errorHandling = ""): ScriptedAgent {
  const text = CALL.replace("ERROR_HANDLING", errorHandling);
  return new ScriptedAgent(loadSource(text), evaluator);
}

function answer(agent: ScriptedAgent, outcome: EffectOutcome, index = 0): void {
  const effect = agent.run.effects?.[index];
  expect(effect, "an effect is outstanding").toBeDefined();
  agent.finish({ kind: "effect", effectId: effect!.id, outcome });
}

describe("external_call", () => {
  it("hands out an effect per loop position and applies results as they come back", () => {
    const agent = agentFor();
    const [first] = agent.run.effects ?? [];
    expect(first).toMatchObject({
      kind: "call",
      service: "api",
      method: "deploy",
      params: { item: "a" },
      idempotencyKey: "wf_test:main:call:1",
      attempt: 1,
    });
    // the capability field goes out as written: no secret in the run
    expect(first!.auth).toEqual({ type: "bearer", token: "{{ env.API_TOKEN }}" });
    expect(agent.next()).toMatchObject({ status: "wait" });
    answer(agent, { ok: true, result: { id: "d-1" } });
    expect(agent.run.main.state.state.results).toEqual(["d-1"]);
    expect(agent.run.effects?.[0]?.idempotencyKey).toBe("wf_test:main:call:2");
    answer(agent, { ok: true, result: { id: "d-2" } });
    expect(agent.run.main.state.state).toMatchObject({ results: ["d-1", "d-2"], last: { id: "d-2" } });
    expect(agent.run.status).toBe("completed");
    expect(agent.run.effects).toEqual([
      expect.objectContaining({
        kind: "run_end",
        service: "ops",
        method: "send",
        params: {
          message: "done with 2",
          details: {
            run_id: "wf_test",
            workflow: "test:effects",
            workflow_version: "1.0.0",
            status: "completed",
          },
        },
        idempotencyKey: "wf_test:run:on_complete:0",
      }),
    ]);
    answer(agent, { ok: true, result: null });
    expect(agent.run.effects).toBeUndefined();
  });

  it("an answer to an effect no longer outstanding changes nothing", () => {
    const agent = agentFor();
    const effect = agent.run.effects![0]!;
    agent.finish({ kind: "effect", effectId: effect.id, outcome: { ok: true, result: { id: "x" } } });
    const after = JSON.stringify(agent.run.main.state);
    agent.finish({ kind: "effect", effectId: effect.id, outcome: { ok: true, result: { id: "again" } } });
    expect(JSON.stringify(agent.run.main.state)).toBe(after);
  });

  it("an agent cannot complete an external_call", () => {
    const agent = agentFor();
    expect(() => agent.complete("call", { id: "forged" })).toThrow(/platform performs itself/);
    expect(agent.run.effects).toHaveLength(1);
  });

  it("retries with the same key after a jittered backoff, never sooner than Retry-After", () => {
    const agent = agentFor("error_handling: { strategy: retry, max_retries: 2, retry_delay: 2 }");
    const key = agent.run.effects![0]!.idempotencyKey;
    answer(agent, { ok: false, code: "external.http_status", message: "503", retryAfterSeconds: 30 });
    expect(agent.run.effects).toBeUndefined();
    const wake = nextWakeAt(agent.run)! - agent.now;
    expect(wake).toBe(30_000);
    agent.wakeUp();
    expect(agent.run.effects![0]).toMatchObject({ idempotencyKey: key, attempt: 2 });
    answer(agent, { ok: false, code: "external.timeout", message: "slow" });
    const delay = nextWakeAt(agent.run)! - agent.now;
    // backoff for retry 2 is 4 s; equal jitter keeps it within [2 s, 4 s]
    expect(delay).toBeGreaterThanOrEqual(2_000);
    expect(delay).toBeLessThanOrEqual(4_000);
    agent.wakeUp();
    answer(agent, { ok: false, code: "external.timeout", message: "slow" });
    expect(agent.run.status).toBe("failed");
    expect(agent.run.error?.code).toBe("external.timeout");
    expect(agent.run.effects?.map((effect) => effect.stepId)).toEqual(["on_failure"]);
    // the receiver learns which run failed and why, whatever the message says
    expect(agent.run.effects![0]!.params.details).toMatchObject({
      run_id: "wf_test",
      status: "failed",
      error: { code: "external.timeout" },
    });
  });

  it("retries an effect 10 times at most and 1 s apart at least, whatever error_handling says", () => {
    const agent = agentFor(
      "error_handling: { strategy: retry, max_retries: 100000000, retry_delay: 0, max_delay: 0 }",
    );
    for (let attempt = 1; attempt <= 10; attempt += 1) {
      answer(agent, { ok: false, code: "external.http_status", message: "500" });
      expect(nextWakeAt(agent.run)! - agent.now).toBe(1_000);
      agent.wakeUp();
      expect(agent.run.effects![0]).toMatchObject({ attempt: attempt + 1 });
    }
    answer(agent, { ok: false, code: "external.http_status", message: "500" });
    expect(agent.run.status).toBe("failed");
    expect(agent.run.error?.code).toBe("external.http_status");
  });

  it("an open circuit takes the fallback", () => {
    const agent = agentFor("error_handling: { strategy: fallback, fallback_value: { id: none } }");
    answer(agent, { ok: false, code: "external.circuit_open", message: "circuit open" });
    expect(agent.run.main.state.state.results).toEqual(["none"]);
  });

  it("continue moves past the failed call", () => {
    const agent = agentFor("error_handling: { strategy: continue }");
    answer(agent, { ok: false, code: "external.failed", message: "boom" });
    expect(agent.run.main.state.state.results).toEqual([]);
    expect(agent.run.effects?.[0]?.idempotencyKey).toBe("wf_test:main:call:2");
  });
});

describe("notify", () => {
  it("sends the rendered message through the channel's send method", () => {
    const agent = new ScriptedAgent(
      loadSource(`
name: test:notify
description: notifies
version: 1.0.0
default_state: { state: { who: world } }
steps:
  - id: hello
    type: notify
    channel: team
    title: "Hi {{ this.who }}"
    message: "Hello {{ this.who }}"
`),
      evaluator,
    );
    expect(agent.run.effects?.[0]).toMatchObject({
      kind: "notify",
      service: "team",
      method: "send",
      params: { message: "Hello world", title: "Hi world" },
    });
    answer(agent, { ok: true, result: { delivered: true } });
    expect(agent.run.status).toBe("completed");
    expect(agent.run.effects).toBeUndefined();
  });

  it("sends a message that renders to a number or an object as text", () => {
    const agent = new ScriptedAgent(
      loadSource(`
name: test:notify-count
description: notifies a count
version: 1.0.0
default_state: { state: { count: 3, info: { ok: true } } }
steps:
  - { id: count, type: notify, channel: team, message: "{{ this.count }}", title: "{{ this.info }}" }
`),
      evaluator,
    );
    expect(agent.run.effects?.[0]?.params).toEqual({ message: "3", title: '{"ok":true}' });
  });
});

describe("on_complete / on_failure at publish", () => {
  it("checks their templates like any other (env is refused)", async () => {
    const { loadWorkflow } = await import("../../../engine/loader/index.ts");
    const { listExpressionSites } = await import("../../../engine/loader/expression-sites.ts");
    const loaded = loadWorkflow(`
name: test:notify
description: notifies
version: 1.0.0
on_failure: { channel: ops, message: "failed: {{ this.reason }}", title: "{{ inputs.name }}" }
steps:
  - { id: s, type: set_state, state_update: { path: this.reason, value: none } }
`);
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
    const sites = listExpressionSites(loaded.definition).map((site) => site.path.join("."));
    expect(sites).toEqual(expect.arrayContaining(["on_failure.message", "on_failure.title"]));
  });
});
