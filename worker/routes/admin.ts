/**
 * @module
 * `/admin/*`: tenants, their API keys, their secrets, their services and their audit log, behind `ADMIN_TOKEN`. Routes only parse
 * and answer; `tenancy/tenant-admin.ts` and `tenancy/tenant-secrets-admin.ts` do the work.
 * Secret values are accepted and never returned.
 */
import { Hono } from "hono";
import { z } from "zod";
import { freeObjectSchema, serviceNameSchema, usesSchema } from "../../engine/dialect/index.ts";
import type { AppEnv } from "../app-env.ts";
import { parseInput } from "../http/parse-input.ts";
import { readJson } from "../http/read-json.ts";
import { requireAdmin } from "../middleware/admin-auth.ts";
import { issueSignInLink } from "../oauth/sign-in-links.ts";
import { listTenantGrants, revokeTenantGrants } from "../oauth/tenant-grants.ts";
import { limitAdminRequests } from "../rate-limits/admin-rate-limit.ts";
import {
  createTenant,
  describeTenant,
  issueKey,
  revokeKey,
  tenantUsage,
  updateSettings,
} from "../tenancy/tenant-admin.ts";
import { adminAudit, exportAudit } from "../tenancy/tenant-audit-admin.ts";
import { deleteTenant, resumeTenant, suspendTenant } from "../tenancy/tenant-lifecycle.ts";
import { listSecretNames, putSecret, removeSecret } from "../tenancy/tenant-secrets-admin.ts";
import { listTenantServices, putService, removeService } from "../tenancy/tenant-services-admin.ts";

const createTenantBody = z.strictObject({
  id: z.string().describe("tenant id: lowercase letters, digits, inner hyphens"),
  label: z.string().max(200).optional().describe("a note about the first key"),
});
const issueKeyBody = z.strictObject({ label: z.string().max(200).optional() });
const secretBody = z.strictObject({
  value: z.string().min(1).describe("the secret; stored encrypted, never returned"),
});
const serviceBody = z.strictObject({
  uses: usesSchema,
  config: freeObjectSchema
    .optional()
    .describe("the plugin's configuration; secret fields take {{ env.NAME }}"),
  description: z.string().max(500).optional(),
});
const suspendBody = z.strictObject({
  reason: z.string().max(500).optional().describe("why: shown to the operator in GET /admin/tenants/:id"),
});
const settingsPatch = z
  .record(
    z
      .string()
      .regex(/^[a-z][a-z0-9_.]{0,63}$/, "setting names are lowercase, e.g. max_event_runs_per_minute"),
    z.unknown(),
  )
  .refine((patch) => Object.keys(patch).length <= 100, "at most 100 settings per call");

export const adminRoutes = new Hono<AppEnv>()
  .use("*", requireAdmin)
  .use("*", limitAdminRequests)
  .post("/tenants", async (c) => {
    const body = await readJson(c, createTenantBody);
    return c.json(await createTenant(c.env, body.id, body.label, adminAudit(c)), 201);
  })
  .get("/tenants/:id", async (c) => c.json(await describeTenant(c.env, c.req.param("id"))))
  .post("/tenants/:id/keys", async (c) => {
    const body = await readJson(c, issueKeyBody);
    return c.json(await issueKey(c.env, c.req.param("id"), body.label, adminAudit(c)), 201);
  })
  .patch("/tenants/:id/settings", async (c) => {
    const patch = await readJson(c, settingsPatch);
    return c.json({ settings: await updateSettings(c.env, c.req.param("id"), patch, adminAudit(c)) });
  })
  .get("/tenants/:id/usage", async (c) => c.json(await tenantUsage(c.env, c.req.param("id"))))
  .delete("/tenants/:id/keys/:keyId", async (c) => {
    const key = await revokeKey(c.env, c.req.param("id"), c.req.param("keyId"), adminAudit(c));
    return c.json({ revoked: true, key });
  })
  .post("/tenants/:id/sign-in-links", async (c) => {
    const link = await issueSignInLink(
      c.env,
      c.req.param("id"),
      new URL(c.req.url).origin,
      Date.now(),
      adminAudit(c),
    );
    return c.json(link, 201);
  })
  .get("/tenants/:id/grants", async (c) =>
    c.json({ grants: await listTenantGrants(c.env, c.req.param("id")) }),
  )
  .delete("/tenants/:id/grants", async (c) => {
    const revoked = await revokeTenantGrants(c.env, c.req.param("id"), adminAudit(c));
    return c.json({ revoked: revoked.grants, withdrawn_sign_in_links: revoked.signInLinks });
  })
  .get("/tenants/:id/secrets", async (c) =>
    c.json({ secrets: await listSecretNames(c.env, c.req.param("id")) }),
  )
  .put("/tenants/:id/secrets/:name", async (c) => {
    const body = await readJson(c, secretBody);
    const stored = await putSecret(c.env, c.req.param("id"), c.req.param("name"), body.value, adminAudit(c));
    return c.json(stored, stored.created ? 201 : 200);
  })
  .delete("/tenants/:id/secrets/:name", async (c) =>
    c.json(await removeSecret(c.env, c.req.param("id"), c.req.param("name"), adminAudit(c))),
  )
  .get("/tenants/:id/services", async (c) =>
    c.json({ services: await listTenantServices(c.env, c.req.param("id")) }),
  )
  .put("/tenants/:id/services/:name", async (c) => {
    const name = parseInput(serviceNameSchema, c.req.param("name"), "the service name");
    const body = await readJson(c, serviceBody);
    const stored = await putService(c.env, c.req.param("id"), { name, ...body }, adminAudit(c));
    return c.json(stored, stored.created ? 201 : 200);
  })
  .delete("/tenants/:id/services/:name", async (c) =>
    c.json(await removeService(c.env, c.req.param("id"), c.req.param("name"), adminAudit(c))),
  )
  // lifecycle (tenancy/tenant-lifecycle.ts)
  .post("/tenants/:id/suspend", async (c) => {
    const body = await readJson(c, suspendBody);
    return c.json({
      tenant: c.req.param("id"),
      lifecycle: await suspendTenant(c.env, c.req.param("id"), body.reason, adminAudit(c)),
    });
  })
  .post("/tenants/:id/resume", async (c) => {
    await readJson(c, z.strictObject({}));
    return c.json({
      tenant: c.req.param("id"),
      lifecycle: await resumeTenant(c.env, c.req.param("id"), adminAudit(c)),
    });
  })
  .delete("/tenants/:id", async (c) => {
    const deletion = await deleteTenant(c.env, c.req.param("id"), adminAudit(c));
    return c.json(deletion, deletion.deleted ? 200 : 202);
  })
  // the audit log as JSONL, oldest first (`edgeflow audit verify` checks it)
  .get("/tenants/:id/audit", async (c) => exportAudit(c.env, c.req.param("id")));
