/**
 * @module
 * The workflow dialect: zod schemas and the types derived from them.
 */
export * from "./answer-shape.ts";
export * from "./client-steps.ts";
export * from "./dependencies.ts";
export * from "./error-handling.ts";
export * from "./external-state.ts";
export * from "./json-schema.ts";
export * from "./run-notifications.ts";
export * from "./scalars.ts";
export * from "./server-steps.ts";
export * from "./services.ts";
export * from "./state.ts";
export * from "./step-common.ts";
export * from "./steps.ts";
export * from "./sub-agent.ts";
export * from "./triggers.ts";
export * from "./versioning.ts";
export * from "./workflow.ts";
