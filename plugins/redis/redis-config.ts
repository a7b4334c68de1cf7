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
});
export type RedisConfig = z.output<typeof redisConfigSchema>;

export const REDIS_SECRET_FIELDS = ["url"] as const;
