/**
 * @module
 * `/admin/*`: tenants and their API keys, behind `ADMIN_TOKEN`. Routes only parse and answer;
 * `tenancy/tenant-admin.ts` does the work.
 */
import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../app-env.ts";
import { readJson } from "../http/read-json.ts";
import { requireAdmin } from "../middleware/admin-auth.ts";
import {
  createTenant,
  describeTenant,
  issueKey,
  revokeKey,
  updateSettings,
} from "../tenancy/tenant-admin.ts";

const createTenantBody = z.strictObject({
  id: z.string().describe("tenant id: lowercase letters, digits, inner hyphens"),
  label: z.string().max(200).optional().describe("a note about the first key"),
});
const issueKeyBody = z.strictObject({ label: z.string().max(200).optional() });
const settingsPatch = z
  .record(
    z.string().regex(/^[a-z][a-z0-9_.]{0,63}$/, "setting names are lowercase, e.g. max_runs"),
    z.unknown(),
  )
  .refine((patch) => Object.keys(patch).length <= 100, "at most 100 settings per call");

export const adminRoutes = new Hono<AppEnv>()
  .use("*", requireAdmin)
  .post("/tenants", async (c) => {
    const body = await readJson(c, createTenantBody);
    return c.json(await createTenant(c.env, body.id, body.label), 201);
  })
  .get("/tenants/:id", async (c) => c.json(await describeTenant(c.env, c.req.param("id"))))
  .post("/tenants/:id/keys", async (c) => {
    const body = await readJson(c, issueKeyBody);
    return c.json(await issueKey(c.env, c.req.param("id"), body.label), 201);
  })
  .patch("/tenants/:id/settings", async (c) => {
    const patch = await readJson(c, settingsPatch);
    return c.json({ settings: await updateSettings(c.env, c.req.param("id"), patch) });
  })
  .delete("/tenants/:id/keys/:keyId", async (c) => {
    const key = await revokeKey(c.env, c.req.param("id"), c.req.param("keyId"));
    return c.json({ revoked: true, key });
  });
