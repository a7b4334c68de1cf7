/**
 * A run's size is capped: a state write past 1 MiB is `state.too_large`, a step error that the
 * step's `error_handling` sees (the run fails with it when nothing handles it), and it is caught
 * at the first write over the cap; a checkpoint past 1.5 MiB fails the run from its last
 * checkpoint, or refuses an agent's state update.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Evaluator } from "../../../engine/expressions/evaluator.ts";
import { createEvaluator } from "../../../engine/expressions/quickjs-evaluator.ts";
import { MAX_CHECKPOINT_BYTES, MAX_STATE_BYTES } from "../../../engine/machine/state-size.ts";
import { loadSource, ScriptedAgent } from "./agent.ts";

let evaluator: Evaluator;
beforeAll(async () => {
  evaluator = await createEvaluator();
});
afterAll(() => evaluator.dispose());

const CHUNK = 100_000;

function appender(errorHandling = ""): string {
  return `
name: test:appender
description: appends a large string on every pass
version: 1.0.0
default_state:
  state: { chunks: [] }
steps:
  - id: grow
    type: while_loop
    max_iterations: 15
    condition: "{{ true }}"
    body:
      - id: append
        type: set_state
        state_update: { path: this.chunks, operation: append, value: "{{ 'x'.repeat(${CHUNK}) }}" }
${errorHandling}
  - id: after
    type: set_state
    state_update: { path: this.after, value: true }
`;
}

/** Drives the run's own timers (work slices) until it stops moving. */
function settle(agent: ScriptedAgent): void {
  for (let guard = 0; guard < 100 && agent.run.timers.length > 0; guard += 1) agent.wakeUp();
}

describe("the state size cap", () => {
  it("fails the run with state.too_large at the first write over 1 MiB, keeping the state before it", () => {
    const agent = new ScriptedAgent(loadSource(appender()), evaluator);
    settle(agent);
    expect(agent.run.status).toBe("failed");
    expect(agent.run.error).toMatchObject({ code: "state.too_large", path: "append" });
    const chunks = agent.run.main.state.state.chunks as string[];
    expect(chunks).toHaveLength(Math.floor(MAX_STATE_BYTES / CHUNK));
    expect(JSON.stringify(agent.run).length).toBeLessThan(MAX_STATE_BYTES + 10_000);
  });

  it("is a step error: error_handling continue moves past the write and the run completes", () => {
    const handled = "        error_handling: { strategy: continue }";
    const agent = new ScriptedAgent(loadSource(appender(handled)), evaluator);
    settle(agent);
    expect(agent.run.status).toBe("completed");
    expect(agent.run.main.state.state.after).toBe(true);
    expect(agent.run.main.state.state.chunks).toHaveLength(Math.floor(MAX_STATE_BYTES / CHUNK));
  });

  it("refuses an agent's state update over the cap and changes nothing", () => {
    const agent = new ScriptedAgent(
      loadSource(`
name: test:paused
description: waits for its agent
version: 1.0.0
steps:
  - id: ask
    type: mcp_call
    tool: anything
`),
      evaluator,
    );
    const before = agent.run;
    expect(() =>
      agent.finish({
        kind: "update_state",
        updates: [{ path: "this.big", value: "z".repeat(MAX_STATE_BYTES) }],
      }),
    ).toThrow(expect.objectContaining({ code: "state.too_large" }));
    expect(agent.run).toBe(before);
  });

  it("fails the run from its last checkpoint when the whole checkpoint would pass 1.5 MiB", () => {
    const agent = new ScriptedAgent(
      loadSource(`
name: test:big-items
description: a loop whose items, kept in its frame, double the checkpoint (each value under the 1 MiB result cap)
version: 1.0.0
steps:
  - id: fetch
    type: mcp_call
    tool: fetch
    state_update: { path: this.big, value: "{{ result.text + result.text }}" }
  - id: each
    type: foreach
    items: "{{ [this.big] }}"
    body:
      - id: use
        type: mcp_call
        tool: use
`),
      evaluator,
    );
    agent.steps();
    const text = "w".repeat(Math.floor(MAX_STATE_BYTES * 0.48));
    // writing ~1 MiB spends this transition's work slice; the foreach comes in the next one
    let answer = agent.complete("fetch", { text });
    while (answer.status === "wait") answer = agent.next();
    expect(answer).toMatchObject({ status: "failed", error: { code: "state.too_large" } });
    expect(agent.run.status).toBe("failed");
    expect(agent.run.timers).toEqual([]);
    // the last checkpoint that fit: the write, not the loop's copy of it
    expect(agent.run.main.state.state.big).toHaveLength(text.length * 2);
    expect(JSON.stringify(agent.run).length).toBeLessThan(MAX_CHECKPOINT_BYTES);
  });
});
