/** @module Trigger problems located in the YAML they came from (publish and validate refuse them by line). */
import { describe, expect, it } from "vitest";
import { triggerDiagnostics } from "../../../engine/events/index.ts";
import { yamlPathOf } from "../../../engine/events/trigger-diagnostics.ts";
import { loadWorkflow } from "../../../engine/loader/index.ts";

const YAML = `name: "t:bad"
description: "x"
version: "1.0.0"
triggers:
  - id: a
    type: schedule
    cron: "61 * * * *"
  - id: a
    type: event
    event_type: "bad type"
steps:
  - id: "s"
    type: "user_message"
    message: "hi"
`;

describe("triggerDiagnostics", () => {
  it("locates every trigger problem by line and column", () => {
    const loaded = loadWorkflow(YAML);
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
    expect(
      triggerDiagnostics(YAML, loaded.definition).map((d) => [d.code, d.path, d.line, d.column]),
    ).toEqual([
      ["schedule.bad_cron", "triggers[0].cron", 7, 11],
      ["subscription.duplicate_id", "triggers[1].id", 8, 9],
      ["subscription.bad_pattern", "triggers[1].event_type", 10, 17],
    ]);
  });

  it("is empty for good triggers", () => {
    const good = YAML.replace('"61 * * * *"', '"*/5 * * * *"').replace(
      "id: a\n    type: event",
      "id: b\n    type: event",
    );
    const loaded = loadWorkflow(good.replace('"bad type"', '"deploy.*"'));
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
    expect(triggerDiagnostics(good, loaded.definition)).toEqual([]);
  });

  it("turns printed paths back into YAML paths", () => {
    expect(yamlPathOf("triggers[12].inputs_mapping.ref")).toEqual(["triggers", 12, "inputs_mapping", "ref"]);
    expect(yamlPathOf("triggers")).toEqual(["triggers"]);
  });
});
