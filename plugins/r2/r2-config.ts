/**
 * @module
 * The configuration of an `r2` service: nothing yet. The bucket is the deployment's `FILES`
 * (under `_plugins/`) and the prefix is the tenant's.
 */
import { z } from "zod";

export const r2ConfigSchema = z.strictObject({}).default({});
