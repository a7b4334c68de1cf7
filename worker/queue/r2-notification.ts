/**
 * @module
 * R2 event notifications as file changes. R2 sends `{account, action, bucket, object: {key,
 * size?, eTag?}, eventTime, copySource?}` to a Queue. Objects live under `<tenant>/<path>` in the
 * shared bucket: the first key segment names the tenant and the rest is the path the tenant's
 * `file_change` triggers see. Object-create actions are `created` (R2 does not say whether the
 * key existed before), deletions `deleted`. Pure: parsing only.
 */
import { z } from "zod";
import type { FileChangeKind } from "../../engine/events/index.ts";
import { isTenantId } from "../tenancy/tenant-id.ts";

const CREATE_ACTIONS: ReadonlySet<string> = new Set(["PutObject", "CopyObject", "CompleteMultipartUpload"]);
const DELETE_ACTIONS: ReadonlySet<string> = new Set(["DeleteObject", "LifecycleDeletion"]);

export const r2NotificationSchema = z.object({
  action: z.string(),
  bucket: z.string().min(1).max(64),
  object: z.object({ key: z.string().min(1).max(4096) }),
  eventTime: z.string().optional(),
});

export type R2FileChange =
  | { ok: true; tenant: string; bucket: string; path: string; change: FileChangeKind }
  | { ok: false; reason: string };

export function fileChangeOfR2Notification(body: unknown): R2FileChange {
  const parsed = r2NotificationSchema.safeParse(body);
  if (!parsed.success) return { ok: false, reason: "not an R2 event notification" };
  const { action, bucket, object } = parsed.data;
  const change: FileChangeKind | undefined = CREATE_ACTIONS.has(action)
    ? "created"
    : DELETE_ACTIONS.has(action)
      ? "deleted"
      : undefined;
  if (change === undefined)
    return { ok: false, reason: `R2 action "${action.slice(0, 40)}" is not a file change` };
  const slash = object.key.indexOf("/");
  const tenant = slash < 0 ? "" : object.key.slice(0, slash);
  const path = slash < 0 ? "" : object.key.slice(slash + 1);
  if (!isTenantId(tenant) || path === "") {
    return { ok: false, reason: `object key "${object.key.slice(0, 80)}" is not <tenant>/<path>` };
  }
  return { ok: true, tenant, bucket, path, change };
}
