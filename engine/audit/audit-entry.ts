/**
 * @module
 * One audit-log entry: when, who, what, on which object, the request it came from, digests of what
 * changed, and its place in the hash chain. The zod schema is the single source of truth for the
 * JSONL export, `workflow_audit` answers and `edgeflow audit verify`. Adding an audited action is one
 * line in `AUDIT_ACTIONS`. Never holds a secret: a secret's change is recorded as `"changed"`,
 * not even hashed (a hash of a short secret can be brute-forced).
 */
import { z } from "zod";

/** Every action the log records. Add one line here to audit a new kind of change. */
export const AUDIT_ACTIONS = [
  "tenant.create",
  "key.create",
  "key.revoke",
  "settings.update",
  "secret.set",
  "secret.delete",
  "service.register",
  "service.delete",
  "workflow.publish",
  "workflow.set_default",
  "workflow.yank",
  "workflow.unyank",
  "subscription.create",
  "subscription.delete",
  "run.cancel",
  "run.cancel_failed",
  "run.state_update",
  "run.state_update_failed",
  "run.migrate",
  "run.migrate_failed",
  "run.migrate_rollback",
  "run.migrate_rollback_failed",
  "tenant.suspend",
  "tenant.resume",
  "sign_in_link.create",
  "grant.revoke",
] as const;

export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/** The `prev_hash` of the first entry of a tenant's chain. */
export const GENESIS_HASH = "0".repeat(64);

const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, "a SHA-256 digest as 64 lowercase hex digits");

/**
 * Who made a change, as the platform writes it (never a key or a token): `key:<key id>` (an API
 * key, or the key that approved an OAuth grant), `oauth:<grant id>` (a grant made with a sign-in
 * link), the admin, or the platform itself.
 */
export type AuditActor = `key:${string}` | `oauth:${string}` | "admin" | "event" | "schedule" | "system";

/**
 * An actor as read from an export: `key:<key id>`, `admin`, `event`, `schedule`, `system`, or a
 * kind a newer platform adds (`<kind>:<id>`), so an older `edgeflow audit verify` still checks it.
 */
export const auditActorSchema = z
  .string()
  .regex(/^[a-z]+(:[A-Za-z0-9_.-]{1,128})?$/, "an actor such as key:<key id> or admin");

/** A digest of what changed (`sha256:<hex>` of its canonical JSON or text) or `changed` (a secret). */
export const changeMarkSchema = z.union([z.string().regex(/^sha256:[0-9a-f]{64}$/), z.literal("changed")]);

/** The longest object id an entry holds; a longer one is recorded as `sha256:<hex>` of it. */
export const MAX_OBJECT_ID = 4096;

export const auditObjectSchema = z.strictObject({
  type: z.string().regex(/^[a-z][a-z_]{0,63}$/, "an object type such as workflow"),
  id: z.string().min(1).max(MAX_OBJECT_ID),
});

/**
 * An entry as exported and hashed; `hash` is the SHA-256 of the canonical JSON of everything else.
 * `action` is any `area.verb`, not only today's `AUDIT_ACTIONS`: verify checks the chain, not the
 * vocabulary, so an export from a newer platform still verifies.
 */
export const auditEntrySchema = z.strictObject({
  seq: z.number().int().min(1),
  at: z.iso.datetime(),
  actor: auditActorSchema,
  action: z.string().regex(/^[a-z_]+\.[a-z_]+$/, "an action such as workflow.publish"),
  object: auditObjectSchema,
  request_id: z.string().max(255).nullable(),
  changes: z.record(z.string().regex(/^[a-z][a-z0-9_]{0,63}$/), changeMarkSchema),
  prev_hash: sha256Hex,
  hash: sha256Hex,
});

export type AuditEntry = z.output<typeof auditEntrySchema>;
export type AuditObject = z.output<typeof auditObjectSchema>;
export type ChangeMark = z.output<typeof changeMarkSchema>;
