/**
 * @module
 * Files in the current dialect load with no warning: the five AroMCP HEAD files as written and
 * this project's phase-6 fixtures.
 */
import { describe, expect, it } from "vitest";
import { loadWorkflow } from "../../../engine/loader/index.ts";
import { AROMCP_FILES, fixtureText } from "./fixture-text.ts";

describe("valid files", () => {
  it.each([...AROMCP_FILES, "loader/valid/every-step.yaml", "loader/valid/event-driven.yaml"])(
    "%s",
    (name) => {
      const result = loadWorkflow(fixtureText(name));
      expect(result.ok ? [] : result.errors).toEqual([]);
      expect(result.warnings).toEqual([]);
    },
  );

  it("normalises the phase-6 blocks", () => {
    const result = loadWorkflow(fixtureText("loader/valid/event-driven.yaml"));
    if (!result.ok) throw new Error("did not load");
    const { dependencies, triggers } = result.definition;
    expect(dependencies?.lint).toEqual({
      needs: ["analyze"],
      when: ["{{ config.deep_check }}"],
      priority: 0,
      trigger_rule: "all_success",
    });
    expect(dependencies?.build?.run?.[0]?.type).toBe("notify");
    expect(dependencies?.deploy?.when).toEqual(["{{ tasks.build.result.ok }}"]);
    expect(triggers?.map((trigger) => trigger.type)).toEqual(["file_change", "schedule", "webhook", "event"]);
  });
});
