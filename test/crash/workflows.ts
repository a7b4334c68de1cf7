/**
 * The crash test's workflows: three subscribers of one signed webhook endpoint. Each calls the
 * outside world (an `mcp_call` of the tool `effect`, carried out by the agent with an idempotency
 * key) and each does it differently: after a timer, in parallel sub-agent tasks, and in the tasks
 * of a dependency graph (only for every fifth delivery: a filter that says no is not a run).
 */

export const ENDPOINT = "/crash";

/** What every subscriber has: the delivery number as input, mapped from the signed webhook. */
function subscriberOf(filter?: string): string {
  return `inputs:
  n:
    type: "number"
    description: "delivery number"
triggers:
  - type: webhook
    endpoint: "${ENDPOINT}"
    secret: "{{ env.HOOK_SECRET }}"
${filter === undefined ? "" : `    filter: "${filter}"\n`}    inputs_mapping:
      n: "payload.n"
`;
}

/** Waits 2 s on a timer (the RunDO's alarm), then one effect. */
export const WAIT_THEN_EFFECT = `name: "crash:wait"
description: "Waits on a timer, then calls the outside world once"
version: "1.0.0"
${subscriberOf()}default_state:
  state:
    receipt: null
steps:
  - id: "pause"
    type: "wait_step"
    seconds: 2
    message: "a short wait"
  - id: "effect"
    type: "mcp_call"
    tool: "effect"
    parameters:
      n: "{{ inputs.n }}"
    store_result: "this.receipt"
  - id: "done"
    type: "user_message"
    message: "delivery {{ inputs.n }} done"
`;

/** Fans out to two sub-agent tasks, one effect each. */
export const FAN_OUT_EFFECTS = `name: "crash:fan"
description: "Two sub-agent tasks, one outside call each"
version: "1.0.0"
${subscriberOf()}default_state:
  state:
    results: []
steps:
  - id: "fan"
    type: "parallel_foreach"
    items: "{{ [inputs.n * 10, inputs.n * 10 + 1] }}"
    sub_agent_task: "work"
    store_results: "this.results"
sub_agent_tasks:
  work:
    description: "One outside call"
    inputs:
      item:
        type: "number"
        description: "the item"
    steps:
      - id: "effect"
        type: "mcp_call"
        tool: "effect"
        parameters:
          item: "{{ inputs.item }}"
`;

/** A diamond graph: a, then b and c (one effect each, claimed by agents), then d. Every fifth delivery. */
export const GRAPH_EFFECTS = `name: "crash:graph"
description: "A diamond of tasks, two of them outside calls"
version: "1.0.0"
${subscriberOf("payload.n % 5 === 0")}default_state:
  state:
    a: false
    d: false
dependencies:
  a:
    run:
      - id: "a_mark"
        type: "set_state"
        state_update: { path: "this.a", value: true }
  b:
    needs: [a]
    run:
      - id: "effect_b"
        type: "mcp_call"
        tool: "effect"
  c:
    needs: [a]
    run:
      - id: "effect_c"
        type: "mcp_call"
        tool: "effect"
  d:
    needs: [b, c]
    run:
      - id: "d_mark"
        type: "set_state"
        state_update: { path: "this.d", value: true }
steps:
  - id: "graph"
    type: "dependency_flow"
`;

/**
 * Two `external_call`s in a loop and nothing for the agent: the platform itself calls the
 * receiver (the tenant service `receiver`, `http@^1`, registered by crash.test.ts) with the key
 * `<run id>:main:call:<iteration>`. Every second delivery.
 */
export const EXTERNAL_CALLS = `name: "crash:calls"
description: "The platform calls the outside world twice, crash-safe"
version: "1.0.0"
${subscriberOf("payload.n % 2 === 0")}default_state:
  state:
    receipts: []
steps:
  - id: "each"
    type: "foreach"
    items: "{{ [1, 2] }}"
    steps:
      - id: "call"
        type: "external_call"
        service: "receiver"
        method: "effect"
        params:
          n: "{{ inputs.n }}"
          item: "{{ loop.item }}"
        state_update:
          path: "this.receipts"
          operation: "append"
          value: "{{ result.status }}"
        error_handling:
          strategy: "retry"
          max_retries: 10
          retry_delay: 1
`;

/** The effects each run must have had, as idempotency keys (see agent.ts). */
export function expectedKeys(workflow: string, runId: string): string[] {
  switch (workflow) {
    case "crash:wait":
      return [`${runId}:main:effect`];
    case "crash:fan":
      return [`${runId}:work.item0:effect`, `${runId}:work.item1:effect`];
    case "crash:graph":
      return [`${runId}:b:effect_b`, `${runId}:c:effect_c`];
    case "crash:calls":
      return [`${runId}:main:call:1`, `${runId}:main:call:2`];
    default:
      throw new Error(`unknown workflow ${workflow}`);
  }
}

/** Which subscribers want delivery `n`. */
export function subscribersOf(n: number): string[] {
  const subscribers = n % 5 === 0 ? ["crash:fan", "crash:graph", "crash:wait"] : ["crash:fan", "crash:wait"];
  return (n % 2 === 0 ? ["crash:calls", ...subscribers] : subscribers).sort();
}
