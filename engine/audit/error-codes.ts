/**
 * @module
 * Codes of the audit log: a `workflow_audit` cursor that is not one this tenant's log handed out.
 * Part of the closed set of error codes (`ErrorCode` in engine/error-codes.ts); worker/errors/codes.ts
 * classifies each one and docs/operations.md ("Audit log") documents it.
 */

export const AUDIT_CODES = ["audit.invalid_cursor"] as const;

export type AuditCode = (typeof AUDIT_CODES)[number];
