/** Builds a StateData for tests, every tier defaulting to empty. */
import type { StateData } from "../../../engine/state/index.ts";

export function stateData(parts: Partial<StateData> = {}): StateData {
  return { inputs: {}, state: {}, global: {}, computed: {}, computedInputs: {}, ...parts };
}
