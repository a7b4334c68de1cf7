/**
 * @module
 * `set_state`: a pure state change; its `state_update`/`state_updates` are applied by the
 * machine like any server step's (see advance.ts), so the handler only moves on.
 */
import { CONTINUE, type ServerStepHandler } from "./handler.ts";

export const runSetState: ServerStepHandler<"set_state"> = (_scope, _step, frame) => {
  frame.pc += 1;
  return CONTINUE;
};
