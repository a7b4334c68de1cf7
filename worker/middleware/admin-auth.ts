/**
 * @module
 * Guards `/admin/*` with the `ADMIN_TOKEN` secret, compared in constant time. Without the
 * secret the admin surface is closed (503) rather than open.
 */
import type { MiddlewareHandler } from "hono";
import { secretsEqual } from "../../engine/crypto/constant-time.ts";
import { EngineError } from "../../engine/errors.ts";
import type { AppEnv } from "../app-env.ts";
import { RuntimeCodes } from "../errors/codes.ts";
import { bearerToken } from "./bearer.ts";

export const requireAdmin: MiddlewareHandler<AppEnv> = async (c, next) => {
  const expected = c.env.ADMIN_TOKEN;
  if (expected === undefined || expected === "") {
    throw new EngineError(
      RuntimeCodes.adminNotConfigured,
      "Admin routes are disabled because the ADMIN_TOKEN secret is not set. Locally, `npm start` writes one to .dev.vars; when deployed, run `wrangler secret put ADMIN_TOKEN`.",
    );
  }
  const presented = bearerToken(c.req.header("authorization"));
  if (presented === null || !(await secretsEqual(presented, expected))) {
    throw new EngineError(
      RuntimeCodes.adminInvalidToken,
      "Admin routes need `Authorization: Bearer <ADMIN_TOKEN>`.",
    );
  }
  await next();
};
