/** Proves the zod-derived dialect types fit the structural specs the state functions take (checked by tsc). */
import { describe, expectTypeOf, it } from "vitest";
import type { ComputedField, InputSpec } from "../../../engine/dialect/state.ts";
import type { SubAgentTask } from "../../../engine/dialect/sub-agent.ts";
import type { WorkflowDefinition } from "../../../engine/dialect/workflow.ts";
import type { ComputedFieldSpec, InputFieldSpec, StateInitSpec } from "../../../engine/state/index.ts";

describe("dialect types", () => {
  it("are accepted by the state functions", () => {
    expectTypeOf<ComputedField>().toExtend<ComputedFieldSpec>();
    expectTypeOf<InputSpec>().toExtend<InputFieldSpec>();
    expectTypeOf<WorkflowDefinition>().toExtend<StateInitSpec>();
    expectTypeOf<SubAgentTask>().toExtend<StateInitSpec>();
  });
});
