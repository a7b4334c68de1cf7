/**
 * @module
 * The configuration of a `kv` service: nothing yet. The namespace is the deployment's
 * `STATE_KV` and the prefix is the tenant's; an empty object (or none) is the whole configuration.
 */
import { z } from "zod";

export const kvConfigSchema = z.strictObject({}).default({});
