/**
 * @module
 * Codes of secret references in a workflow file (`{{ env.NAME }}` in capability fields).
 * Part of the closed set of error codes (`ErrorCode` in engine/error-codes.ts): a code not listed
 * here or in a sibling list does not compile, and worker/errors/codes.ts must classify each one.
 */

export const SECRET_REFERENCE_CODES = ["secret.invalid_reference"] as const;

export type SecretReferenceCode = (typeof SECRET_REFERENCE_CODES)[number];
