/**
 * The RunDO's storage formats, in Node: a checkpoint round-trips through `format: 2` (frames
 * addressed by step ids); a row written before the field existed is format 1, upgraded; an unknown format, broken JSON or a shape that
 * does not fit is `storage.corrupt`; a stored definition is read with the dialect's schema.
 * (The same formats are exercised by every machine test that evicts: `ScriptedAgent.evict`.)
 */
import { readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { decodeCheckpoint, encodeCheckpoint } from "../../../durable-objects/run/checkpoint-format.ts";
import { decodeTaskRow } from "../../../durable-objects/run/task-row-format.ts";
import { decodeDefinition, encodeDefinition } from "../../../durable-objects/storage/stored-definition.ts";
import type { RunState } from "../../../engine/machine/index.ts";
import { loadFixture, loadSource } from "../machine/agent.ts";

/** The workflow `RUN` belongs to: `ask` is its second step. */
const DEFINITION = loadSource(`
name: demo:greet
description: greets
version: 1.0.0
steps:
  - id: hello
    type: user_message
    message: hi
  - id: ask
    type: user_input
    prompt: "?"
`);

const RUN: RunState = {
  id: "wf_1",
  workflow: "demo:greet",
  version: "1.0.0",
  status: "waiting",
  createdAt: 1,
  updatedAt: 2,
  main: {
    id: "main",
    status: "blocked",
    state: { inputs: { name: "Ada" }, state: { n: 1 }, global: {}, computed: {}, computedInputs: {} },
    frames: [{ ref: ["steps"], pc: 1 }],
    pending: [
      {
        id: "ask",
        type: "user_input",
        attempt: 1,
        issuedAt: 2,
        definition: { prompt: "?" },
        ref: ["steps", 1],
        implicit: false,
      },
    ],
  },
  tasks: {},
  timers: [{ id: "t1", at: 10, kind: "timeout", threadId: "main", stepId: "ask" }],
  seq: 3,
  work: { used: 4, allowance: 100 },
};

function codeOf(work: () => unknown): string | undefined {
  try {
    work();
    return undefined;
  } catch (error) {
    return (error as { code?: string }).code;
  }
}

describe("the checkpoint format", () => {
  const ADDRESSED: RunState = {
    ...RUN,
    main: { ...RUN.main, frames: [{ ref: ["steps"], pc: 1, address: { list: ["steps"], at: "ask" } }] },
  };

  it("writes format 2, its frames addressed by step ids, and reads the run back without the format", () => {
    const text = encodeCheckpoint(RUN, DEFINITION);
    expect(JSON.parse(text).format).toBe(2);
    expect(decodeCheckpoint(text, DEFINITION)).toEqual(ADDRESSED);
  });

  it("reads a row written before the format field existed as format 1 and upgrades it", () => {
    expect(decodeCheckpoint(JSON.stringify(RUN), DEFINITION)).toEqual(ADDRESSED);
  });

  it("keeps a field the schema does not name (a loose object, nothing dropped)", () => {
    const text = JSON.stringify({ ...RUN, later: { added: true } });
    expect(decodeCheckpoint(text, DEFINITION)).toMatchObject({ later: { added: true } });
  });

  it.each([
    ["an unknown format", JSON.stringify({ ...RUN, format: 3 })],
    ["a format that is not a number", JSON.stringify({ ...RUN, format: "1" })],
    ["broken JSON", "{"],
    ["not an object", "null"],
    ["a run without its main thread", JSON.stringify({ ...RUN, main: undefined })],
    ["a status the machine never writes", JSON.stringify({ ...RUN, status: "paused" })],
    ["a timer without a time", JSON.stringify({ ...RUN, timers: [{ ...RUN.timers[0], at: "soon" }] })],
  ])("refuses %s with storage.corrupt", (_what, text) => {
    expect(codeOf(() => decodeCheckpoint(text, DEFINITION))).toBe("storage.corrupt");
  });

  it("names the field that does not fit, not its value", () => {
    const text = JSON.stringify({
      ...RUN,
      main: { ...RUN.main, frames: [{ ref: ["steps"], pc: "secret-ish" }] },
    });
    expect(() => decodeCheckpoint(text, DEFINITION)).toThrow(/main\.frames\.0\.pc/);
    expect(() => decodeCheckpoint(text, DEFINITION)).not.toThrow(/secret-ish/);
  });
});

describe("graph task rows", () => {
  it("refuses a row that is not a task record", () => {
    expect(codeOf(() => decodeTaskRow(JSON.stringify({ index: 0, id: "a" })))).toBe("storage.corrupt");
    expect(codeOf(() => decodeTaskRow("]"))).toBe("storage.corrupt");
  });
});

describe("stored definitions", () => {
  it("read back every scenario fixture unchanged with the dialect's schema", () => {
    const names = readdirSync(new URL("../../fixtures/scenarios/", import.meta.url));
    expect(names.length).toBeGreaterThan(3);
    for (const name of names) {
      const definition = loadFixture(name);
      expect(decodeDefinition(encodeDefinition(definition))).toEqual(definition);
    }
  });

  it("refuses a definition the dialect does not accept", () => {
    expect(codeOf(() => decodeDefinition(JSON.stringify({ name: "demo:x", steps: 3 })))).toBe(
      "storage.corrupt",
    );
  });
});
