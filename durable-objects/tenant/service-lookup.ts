/**
 * @module
 * Which service a step's name reaches, inside the TenantDO: the workflow version's own services
 * (its `services:` block and inline step services, pinned at publish: `publishedServices` in
 * engine/plugins/published.ts) win; a name they lack is the tenant's registered service of that
 * name, pinned when it was registered. Answers `undefined` for a name neither defines (a service
 * deleted since publish): the caller fails the step with `service.unknown`.
 */
import type { ResolvedService } from "../../engine/plugins/descriptor.ts";
import { publishedExternalState, publishedServices } from "../../engine/plugins/published.ts";
import { readService } from "./service-store.ts";
import { getVersion } from "./workflow-store.ts";

export class TenantServices {
  readonly #sql: SqlStorage;

  constructor(sql: SqlStorage) {
    this.#sql = sql;
  }

  /** The service `name` reaches for a workflow version whose own services are `workflowServices`. */
  serviceFor(workflowServices: readonly ResolvedService[], name: string): ResolvedService | undefined {
    const own = workflowServices.find((service) => service.name === name);
    if (own !== undefined) return own;
    const registered = readService(this.#sql, name);
    if (registered === null) return undefined;
    return {
      name: registered.name,
      plugin: registered.plugin,
      version: registered.version,
      config: registered.config,
    };
  }

  /**
   * `serviceFor` with a stored version's own services (`workflow` at `version`, pinned at its
   * publish). `workflow.not_found` when the version is not stored.
   */
  serviceOfVersion(workflow: string, version: string, name: string): ResolvedService | undefined {
    const { definition } = getVersion(this.#sql, workflow, version);
    return this.serviceFor(publishedServices(definition), name);
  }

  /** The `external_state` backend a stored version pinned at publish (never a tenant service). */
  externalStateOfVersion(workflow: string, version: string): ResolvedService | undefined {
    return publishedExternalState(getVersion(this.#sql, workflow, version).definition);
  }
}
