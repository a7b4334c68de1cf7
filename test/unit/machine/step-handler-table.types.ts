/**
 * @module
 * Type test (checked by `npm run typecheck`, not run by vitest): the machine's table of server
 * step handlers is keyed by the dialect's step types, so a table that leaves one out, or gives a
 * step type the handler of another, does not compile. Each `@ts-expect-error` below fails the
 * typecheck if the error it expects ever goes away.
 */
import type { ServerStepHandler, ServerStepHandlers } from "../../../engine/machine/steps/handler.ts";

declare const everyHandler: ServerStepHandlers;
declare const whileLoopHandler: ServerStepHandler<"while_loop">;

const { wait_step: _waitStep, ...allButWaitStep } = everyHandler;

// @ts-expect-error a table without a `wait_step` handler is refused
export const missingOne: ServerStepHandlers = allButWaitStep;

// @ts-expect-error a `while_loop` handler cannot stand in for `foreach` (it reads `condition`, `body`)
export const wrongOne: ServerStepHandlers = { ...everyHandler, foreach: whileLoopHandler };

export const complete: ServerStepHandlers = { ...allButWaitStep, wait_step: everyHandler.wait_step };
