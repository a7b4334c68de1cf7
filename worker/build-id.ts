/**
 * @module
 * The name of the running build, as `GET /healthz` answers it: the bundle-time constant
 * `EDGEFLOW_BUILD` when the bundle was built with one (`wrangler deploy --define
 * 'EDGEFLOW_BUILD:"2026-12-05.1"'`), else `dev`. After a deploy, it shows which code answers.
 */

/** Replaced by its value at bundle time when defined; otherwise no such global exists. */
declare const EDGEFLOW_BUILD: unknown;

export const BUILD_ID: string = typeof EDGEFLOW_BUILD === "string" ? EDGEFLOW_BUILD : "dev";
