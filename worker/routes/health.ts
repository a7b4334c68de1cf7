/**
 * @module
 * `GET /healthz`: liveness, no auth, no storage; `build` names the running build (`../build-id.ts`).
 */
import { Hono } from "hono";
import type { AppEnv } from "../app-env.ts";
import { BUILD_ID } from "../build-id.ts";

export const healthRoutes = new Hono<AppEnv>().get("/healthz", (c) => c.json({ ok: true, build: BUILD_ID }));
