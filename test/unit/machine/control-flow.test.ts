import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Evaluator } from "../../../engine/expressions/evaluator.ts";
import { createEvaluator } from "../../../engine/expressions/quickjs-evaluator.ts";
import { loadFixture, loadSource, ScriptedAgent } from "./agent.ts";

let evaluator: Evaluator;
beforeAll(async () => {
  evaluator = await createEvaluator();
});
afterAll(() => evaluator.dispose());

describe("simple-counter.yaml", () => {
  it("computes doubled = 10 from one path, batches messages, stores shell output", () => {
    const agent = new ScriptedAgent(loadFixture("simple-counter.yaml"), evaluator, {
      inputs: { name: "Ada" },
    });
    expect(agent.run.main.state.computed.doubled).toBe(10);

    const first = agent.steps();
    expect(first.map((step) => step.id)).toEqual(["show_counter", "run_echo"]);
    expect(first[0]!.definition.message).toBe("Hello Ada: counter is 5, doubled is 10");
    expect(first[1]!.definition).not.toHaveProperty("state_update");

    expect(
      agent.complete("run_echo", { stdout: "Hello from workflow\n", stderr: "", exit_code: 0 }).status,
    ).toBe("ready");
    expect(agent.run.main.state.state.message).toBe("Hello from workflow\n");
    expect(agent.run.main.state.state.counter).toBe(7);

    const last = agent.steps();
    expect(last.map((step) => step.definition.message)).toEqual(["Now doubled is 14"]);
    expect(agent.next()).toEqual({ status: "completed" });
    expect(agent.run.status).toBe("completed");
  });

  it("refuses to start without a required input", () => {
    expect(() => new ScriptedAgent(loadFixture("simple-counter.yaml"), evaluator)).toThrow(/name/);
  });

  it("re-delivers a blocking step until it is completed", () => {
    const agent = new ScriptedAgent(loadFixture("simple-counter.yaml"), evaluator, {
      inputs: { name: "Ada" },
    });
    agent.steps();
    const again = agent.steps();
    expect(again.map((step) => step.id)).toEqual(["run_echo"]);
    expect(() => agent.complete("done")).toThrow(/not waiting/);
  });

  it("asking again for the step already handed out leaves the run as it was (nothing to checkpoint)", () => {
    const agent = new ScriptedAgent(loadFixture("simple-counter.yaml"), evaluator, {
      inputs: { name: "Ada" },
    });
    agent.steps();
    // the second call settles the batched message (a change), the third changes nothing
    expect(agent.steps().map((step) => step.id)).toEqual(["run_echo"]);
    const handedOut = agent.run;
    expect(agent.steps().map((step) => step.id)).toEqual(["run_echo"]);
    // the same checkpoint, not an equal copy with a new sequence number
    expect(agent.run).toBe(handedOut);
    agent.complete("run_echo", { stdout: "x", stderr: "", exit_code: 0 });
    expect(agent.run.seq).toBeGreaterThan(handedOut.seq);
  });
});

describe("control-flow.yaml", () => {
  it("runs conditional, foreach and while loops server-side", () => {
    const agent = new ScriptedAgent(loadFixture("control-flow.yaml"), evaluator);
    const state = agent.run.main.state.state;
    expect(state.branch).toBe("many");
    expect(state.visited).toEqual(["0:a.ts", "1:b.js", "2:c.ts"]);
    expect(state.ts_files).toEqual(["a.ts", "c.ts"]);
    expect(state.loops).toBe(3);
    expect(state.capped).toBe(4);
    expect(agent.steps()[0]!.definition.message).toBe("many a.ts,c.ts 3 4");
    expect(agent.next().status).toBe("completed");
  });

  it("takes the else branch and skips an empty foreach", () => {
    const agent = new ScriptedAgent(loadFixture("control-flow.yaml"), evaluator, { inputs: { files: [] } });
    expect(agent.run.main.state.state.branch).toBe("few");
    expect(agent.run.main.state.state.visited).toEqual([]);
  });

  it("rejects an input of the wrong type at start", () => {
    expect(
      () => new ScriptedAgent(loadFixture("control-flow.yaml"), evaluator, { inputs: { files: "abc" } }),
    ).toThrow(/files/);
  });

  it("fails the run with a clear error when foreach items are not a list", () => {
    const definition = loadSource(`
name: "test:bad-items"
description: "items is a string"
version: "1.0.0"
steps:
  - id: "each"
    type: "foreach"
    items: "{{ 'abc' }}"
    body:
      - id: "noop"
        type: "set_state"
        state_update: { path: "this.x", value: 1 }
`);
    const agent = new ScriptedAgent(definition, evaluator);
    expect(agent.run.status).toBe("failed");
    expect(agent.run.error).toMatchObject({ code: "step.invalid_items", path: "each" });
    expect(agent.next()).toMatchObject({ status: "failed", error: { code: "step.invalid_items" } });
  });
});

describe("nested-loops.yaml", () => {
  it("break and continue act on the innermost loop", () => {
    const agent = new ScriptedAgent(loadFixture("nested-loops.yaml"), evaluator);
    // row 1: col 1 kept, col 2 skipped, col 3 > 1 breaks; row 2: 1 kept, 3 breaks; row 3: 1, 3 kept
    expect(agent.run.main.state.state.pairs).toEqual(["1-1", "2-1", "3-1", "3-3"]);
    expect(agent.run.main.state.state.outer_passes).toBe(3);
    expect(agent.steps()[0]!.definition.message).toBe("1-1 2-1 3-1 3-3");
  });
});

describe("loop-computed.yaml", () => {
  it("recomputes loop-dependent computed fields on every pass", () => {
    const agent = new ScriptedAgent(loadFixture("loop-computed.yaml"), evaluator);
    expect(agent.steps()[0]!.definition.parameters).toEqual({ label: "attempt 1" });
    agent.complete("try_once", { ok: false });
    expect(agent.steps()[0]!.definition.parameters).toEqual({ label: "attempt 2" });
    agent.complete("try_once", { ok: true });
    expect(agent.run.status).toBe("completed");
    expect(agent.run.main.state.state.attempts).toEqual(["attempt 1", "attempt 2"]);
  });

  it("stops at max_attempts when no attempt succeeds", () => {
    const agent = new ScriptedAgent(loadFixture("loop-computed.yaml"), evaluator, {
      inputs: { max_attempts: 2 },
    });
    for (const label of ["attempt 1", "attempt 2"]) {
      expect(agent.steps()[0]!.definition.parameters).toEqual({ label });
      agent.complete("try_once", { ok: false });
    }
    expect(agent.run.status).toBe("completed");
  });
});
