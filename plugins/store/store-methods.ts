/**
 * @module
 * The parameters and results of the methods every state store offers (`get`, `put` with an
 * optional `ttl`, `delete`, `list` by prefix), shared by kv, r2 and redis so a workflow can switch
 * backend without touching its steps. Values are any JSON and are stored as JSON text.
 */
import { z } from "zod";

/** Long enough for real keys, short enough for every backend once the tenant prefix is added (KV: 512 bytes). */
export const MAX_KEY_LENGTH = 400;
export const MAX_LIST_LIMIT = 1000;
export const DEFAULT_LIST_LIMIT = 100;

export const storeKeySchema = z
  .string()
  .min(1)
  .max(MAX_KEY_LENGTH)
  // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
  .regex(/^[^\u0000-\u001f\u007f]*$/, "a key has no control characters")
  .describe("The key, inside the tenant's own prefix");

const jsonValueSchema: z.ZodType<unknown> = z.json();

export const getParamsSchema = z.strictObject({ key: storeKeySchema });
export const getResultSchema = z.strictObject({
  found: z.boolean(),
  value: jsonValueSchema.nullable().describe("The stored JSON value, null when not found"),
});

/** `minTtl` is the backend's smallest expiry (KV: 60 s). */
export function putParamsSchema(minTtl: number) {
  return z.strictObject({
    key: storeKeySchema,
    value: jsonValueSchema.describe("Any JSON value"),
    ttl: z
      .number()
      .int()
      .min(minTtl)
      .max(365 * 24 * 3600)
      .optional()
      .describe(`Seconds until the key expires (at least ${minTtl})`),
  });
}
export const putResultSchema = z.strictObject({ key: z.string() });

export const deleteParamsSchema = z.strictObject({ key: storeKeySchema });
export const deleteResultSchema = z.strictObject({ key: z.string() });

export const listParamsSchema = z.strictObject({
  prefix: z
    .string()
    .max(MAX_KEY_LENGTH)
    .default("")
    .describe("Keys starting with this (inside the tenant's prefix)"),
  limit: z.number().int().min(1).max(MAX_LIST_LIMIT).default(DEFAULT_LIST_LIMIT),
  cursor: z.string().max(2048).optional().describe("From the previous page's answer"),
});
export const listResultSchema = z.strictObject({
  keys: z.array(z.string()),
  cursor: z.string().nullable().describe("Pass it to get the next page; null on the last page"),
});

/** A stored text as JSON; a value another writer left that is not JSON comes back as text. */
export function parseStoredValue(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/**
 * `put_versioned`: what `external_state` writes after each checkpoint. The stored value is the
 * document `{version, value}`, written only when `version` is greater than the stored one, so an
 * older write (a late retry) never replaces a newer one; `get` answers the document.
 */
export function putVersionedParamsSchema(minTtl: number) {
  return putParamsSchema(minTtl).extend({
    version: z
      .number()
      .int()
      .nonnegative()
      .safe()
      .describe("Greater than the stored version, or nothing is written"),
  });
}
export const putVersionedResultSchema = z.strictObject({
  written: z.boolean().describe("False when the stored version was already this one or newer"),
  version: z.number().int().describe("The version stored after the call"),
});

export interface VersionedDocument {
  version: number;
  value: unknown;
}

/** The version of a stored document, or -1 when there is none (absent, or not a versioned document). */
export function storedVersion(text: string | null): number {
  if (text === null) return -1;
  const document = parseStoredValue(text);
  if (typeof document !== "object" || document === null) return -1;
  const version: unknown = Reflect.get(document, "version");
  return typeof version === "number" && Number.isSafeInteger(version) ? version : -1;
}
