/**
 * @module
 * The tenant's registered services (`tenant_services`): a named, configured use of one exact
 * plugin version, shared by all the tenant's workflows. The worker resolves `uses:` against the
 * plugin catalog before a row is written (durable-objects never import `plugins/`), so a row pins
 * the version it was registered with: a later plugin release changes nothing until the service is
 * registered again. `config` is stored with its `{{ env.NAME }}` references unresolved.
 */
import { EngineError } from "../../engine/errors.ts";
import type { NewTenantService, TenantService } from "./contracts.ts";

/** Services one tenant may register. */
export const MAX_TENANT_SERVICES = 100;

interface ServiceRow extends Record<string, SqlStorageValue> {
  name: string;
  uses: string;
  plugin: string;
  version: string;
  config: string;
  description: string | null;
  registered_at: number;
  updated_at: number;
}

/** Stores (or replaces) a service; answers it and whether it is new. */
export function upsertService(
  sql: SqlStorage,
  service: NewTenantService,
  now: number,
  limits: { services: number; plugins: number } = {
    services: MAX_TENANT_SERVICES,
    plugins: MAX_TENANT_SERVICES,
  },
): { service: TenantService; created: boolean } {
  const existing = findRow(sql, service.name);
  if (existing === null) {
    const count = sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM tenant_services").one().n;
    if (count >= limits.services) {
      throw new EngineError(
        "service.limit_reached",
        `Quota max_services exceeded: the limit is ${limits.services} and this tenant has ${count} services; delete unused ones first (service_delete).`,
        { path: "max_services" },
      );
    }
  }
  const plugins = sql
    .exec<{ plugin: string }>("SELECT DISTINCT plugin FROM tenant_services WHERE name != ?", service.name)
    .toArray()
    .map((row) => row.plugin);
  if (!plugins.includes(service.plugin) && plugins.length >= limits.plugins) {
    throw new EngineError(
      "quota.exceeded",
      `Quota max_plugins exceeded: the limit is ${limits.plugins} and this tenant's services use ${plugins.length} plugins; ` +
        "use a plugin already in use, delete a service, or ask the admin to raise it.",
      { path: "max_plugins" },
    );
  }
  const registeredAt = existing?.registered_at ?? now;
  sql.exec(
    `INSERT INTO tenant_services (name, uses, plugin, version, config, description, registered_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (name) DO UPDATE SET uses = excluded.uses, plugin = excluded.plugin, version = excluded.version,
       config = excluded.config, description = excluded.description, updated_at = excluded.updated_at`,
    service.name,
    service.uses,
    service.plugin,
    service.version,
    JSON.stringify(service.config),
    service.description ?? null,
    registeredAt,
    now,
  );
  return { service: toService(findRow(sql, service.name)!), created: existing === null };
}

export function listServiceRows(sql: SqlStorage): TenantService[] {
  return sql.exec<ServiceRow>("SELECT * FROM tenant_services ORDER BY name").toArray().map(toService);
}

export function readService(sql: SqlStorage, name: string): TenantService | null {
  const row = findRow(sql, name);
  return row === null ? null : toService(row);
}

export function deleteServiceRow(sql: SqlStorage, name: string): void {
  if (findRow(sql, name) === null) {
    throw new EngineError(
      "service.not_found",
      `No tenant service named "${name}"; service_list shows the registered ones.`,
      { path: "name" },
    );
  }
  sql.exec("DELETE FROM tenant_services WHERE name = ?", name);
}

function findRow(sql: SqlStorage, name: string): ServiceRow | null {
  return sql.exec<ServiceRow>("SELECT * FROM tenant_services WHERE name = ?", name).toArray()[0] ?? null;
}

function toService(row: ServiceRow): TenantService {
  return {
    name: row.name,
    uses: row.uses,
    plugin: row.plugin,
    version: row.version,
    config: JSON.parse(row.config),
    ...(row.description === null ? {} : { description: row.description }),
    registered_at: new Date(row.registered_at).toISOString(),
    updated_at: new Date(row.updated_at).toISOString(),
  };
}
