/**
 * @module
 * Erases what a tenant's plugins stored outside its Durable Objects, for `DELETE
 * /admin/tenants/:id`: the `kv` plugin's and `external_state: {backend: kv}` keys under
 * `t/<tenant>/` in `STATE_KV`, and the `r2` plugin's objects under `_plugins/t/<tenant>/` in
 * `FILES`. A page at a time within a budget per call, so a large tenant is erased over several
 * calls; each call lists again from the start, so an interrupted erasure simply continues. The
 * tenant's own files in `FILES` (`<tenant>/...`, the source of file_change events) are the
 * customer's, not edgeflow's, and are not touched (docs/operations.md, "Tenant lifecycle").
 */

/** Most `STATE_KV` keys one call deletes (each delete is one subrequest). */
export const KV_DELETES_PER_CALL = 500;
/** Most R2 list-and-delete pages (up to 1000 objects each) one call runs. */
export const R2_PAGES_PER_CALL = 5;

export interface PrefixErasure {
  /** keys or objects deleted by this call */
  deleted: number;
  /** true when a listing after the deletes found nothing left under the prefix */
  done: boolean;
}

export function pluginKvPrefix(tenant: string): string {
  return `t/${tenant}/`;
}

export function pluginR2Prefix(tenant: string): string {
  return `_plugins/t/${tenant}/`;
}

/** Deletes up to `KV_DELETES_PER_CALL` keys under `prefix`. */
export async function eraseKvPrefix(kv: KVNamespace | undefined, prefix: string): Promise<PrefixErasure> {
  if (kv === undefined) return { deleted: 0, done: true };
  let deleted = 0;
  while (deleted < KV_DELETES_PER_CALL) {
    const page = await kv.list({ prefix, limit: Math.min(1000, KV_DELETES_PER_CALL - deleted) });
    if (page.keys.length === 0) return { deleted, done: true };
    await Promise.all(page.keys.map((key) => kv.delete(key.name)));
    deleted += page.keys.length;
  }
  const left = await kv.list({ prefix, limit: 1 });
  return { deleted, done: left.keys.length === 0 };
}

/** Deletes the objects under `prefix`, up to `R2_PAGES_PER_CALL` pages. */
export async function eraseR2Prefix(bucket: R2Bucket | undefined, prefix: string): Promise<PrefixErasure> {
  if (bucket === undefined) return { deleted: 0, done: true };
  let deleted = 0;
  for (let page = 0; page < R2_PAGES_PER_CALL; page += 1) {
    const listed = await bucket.list({ prefix, limit: 1000 });
    if (listed.objects.length === 0) return { deleted, done: true };
    await bucket.delete(listed.objects.map((object) => object.key));
    deleted += listed.objects.length;
  }
  const left = await bucket.list({ prefix, limit: 1 });
  return { deleted, done: left.objects.length === 0 };
}
