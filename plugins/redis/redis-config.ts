/**
 * @module
 * The configuration of a `redis` service: `url`, a secret field
 * (`url: "{{ env.REDIS_URL }}"`), `redis://[user:password@]host[:port][/db]` or `rediss://` for TLS.
 */
import { z } from "zod";

export const redisConfigSchema = z.strictObject({
  url: z
    .string()
    .min(1)
    .max(2048)
    .describe("redis:// or rediss:// URL with AUTH and db index; a secret field"),
  ttl: z
    .number()
    .int()
    .min(1)
    .max(365 * 24 * 3600)
    .optional()
    .describe("Seconds a put (or an external_state write) lives when it names no ttl of its own"),
});
export type RedisConfig = z.output<typeof redisConfigSchema>;

export const REDIS_SECRET_FIELDS = ["url"] as const;
