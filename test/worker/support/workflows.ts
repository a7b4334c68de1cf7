/** Workflow files the worker tests publish. Each says what it exercises. */

/** A greeting with a computed field, a message batch, a blocking mcp_call and a conditional. */
export const GREET = `name: "demo:greet"
description: "Greets someone, asks a tool for a number, and reports on it"
version: "1.0.0"
inputs:
  name:
    type: "string"
    description: "Who to greet"
default_state:
  state:
    count: 1
state_schema:
  state:
    count: "number"
  computed:
    doubled:
      from: "this.count"
      transform: "input * 2"
steps:
  - id: "hello"
    type: "user_message"
    message: "Hello {{ inputs.name }}, doubled is {{ this.doubled }}"
  - id: "pick"
    type: "mcp_call"
    tool: "pick_number"
    parameters:
      max: 10
    state_update:
      path: "this.count"
      value: "{{ result.n }}"
  - id: "check"
    type: "conditional"
    condition: "{{ this.doubled > 4 }}"
    then_steps:
      - id: "big"
        type: "user_message"
        message: "big: {{ this.doubled }}"
    else_steps:
      - id: "small"
        type: "user_message"
        message: "small: {{ this.doubled }}"
`;

/** The same name at version 1.1.0 with different text. */
export const GREET_V2 = GREET.replace('version: "1.0.0"', 'version: "1.1.0"');

/** A timer: wait_step sleeps 60 s, then state changes and a message follows. */
export const SLEEPER = `name: "demo:sleeper"
description: "Sleeps on a timer, then says so"
version: "1.0.0"
default_state:
  state:
    woke: false
steps:
  - id: "pause"
    type: "wait_step"
    seconds: 60
    message: "Sleeping a minute"
  - id: "mark"
    type: "set_state"
    state_update:
      path: "this.woke"
      value: true
  - id: "say"
    type: "user_message"
    message: "woke: {{ this.woke }}"
`;

/** A failing client step retried after a back-off timer. */
export const FLAKY = `name: "demo:flaky"
description: "A tool call that is retried after a delay"
version: "1.0.0"
default_state:
  state:
    got: null
steps:
  - id: "call"
    type: "mcp_call"
    tool: "flaky"
    store_result: "this.got"
    error_handling:
      strategy: "retry"
      max_retries: 2
      retry_delay: 5
`;

/** A workflow file with two errors, to check positions. */
export const BROKEN = `name: "demo:broken"
description: "Has errors"
version: "1.0.0"
steps:
  - id: "one"
    type: "shel_command"
    command: "ls"
  - id: "one"
    type: "user_message"
    message: "dup"
`;

/** parallel_foreach: one sub-agent task per file, each with its own state and steps. */
export const FAN_OUT = `name: "demo:fan-out"
description: "Lints files in parallel sub-agent tasks"
version: "1.0.0"
inputs:
  files:
    type: "array"
    description: "Files to lint"
default_state:
  state:
    results: []
steps:
  - id: "fan_out"
    type: "parallel_foreach"
    items: "{{ inputs.files }}"
    sub_agent_task: "lint_file"
    store_results: "this.results"
  - id: "report"
    type: "user_message"
    message: "{{ this.results.filter(r => r.state.ok).length }} of {{ inputs.files.length }} clean"
sub_agent_tasks:
  lint_file:
    description: "Lint one file"
    inputs:
      file_path:
        type: "string"
        description: "The file"
    default_state:
      state:
        ok: false
    steps:
      - id: "lint"
        type: "mcp_call"
        tool: "lint"
        parameters:
          file: "{{ inputs.file_path }}"
        state_update:
          path: "this.ok"
          value: "result.errors.length === 0"
`;
