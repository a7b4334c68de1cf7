/**
 * @module
 * Codes of a workflow's release controls (its default version and its yanked versions:
 * durable-objects/tenant/workflow-release.ts). Part of the closed set of error codes (`ErrorCode` in
 * engine/error-codes.ts); worker/errors/codes.ts classifies each one and docs/versioning.md
 * ("Default version and yanking") documents it.
 */

export const RELEASE_CODES = ["workflow.version_yanked", "workflow.yank_refused"] as const;

export type ReleaseCode = (typeof RELEASE_CODES)[number];
