/**
 * @module
 * The configuration of an `http` service: `base_url`, static `headers`, `auth` (the same shape
 * as `external_call.auth`: bearer, basic, header, none; its token, password and value are the
 * secret fields) and `methods`, which maps a method name to another verb and path. Shared by
 * http 1.x and 2.x.
 */
import { z } from "zod";
import {
  HEADER_NAME_PATTERN,
  isPlatformHeader,
  PLATFORM_HEADER_MESSAGE,
} from "../../engine/dialect/header-names.ts";
import { externalCallAuthSchema } from "../../engine/dialect/server-steps.ts";

export const HTTP_VERBS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"] as const;
export type HttpVerb = (typeof HTTP_VERBS)[number];

export const httpRouteSchema = z.strictObject({
  verb: z.enum(HTTP_VERBS).describe("HTTP method"),
  path: z
    .string()
    .regex(/^\/[^\s?#]*$/, "a path starts with / and has no query or fragment")
    .max(1024)
    .describe("Path under base_url; `{name}` is replaced by the URL-encoded param `name`"),
});
export type HttpRoute = z.output<typeof httpRouteSchema>;

export const httpAuthSchema = externalCallAuthSchema;
export type HttpAuth = z.output<typeof httpAuthSchema>;

export const httpConfigSchema = z.strictObject({
  base_url: z
    .url({ protocol: /^https?$/ })
    .max(2048)
    .describe("Where calls go: `<base_url>/<method>`; http or https only"),
  headers: z
    .record(
      z
        .string()
        .regex(HEADER_NAME_PATTERN, "not a header name")
        .refine((name) => !isPlatformHeader(name), PLATFORM_HEADER_MESSAGE),
      z.string().max(4096),
    )
    .optional()
    .describe("Headers sent with every call (not secret: put credentials in auth)"),
  auth: httpAuthSchema.optional().describe("The service's authentication; a step's own auth replaces it"),
  methods: z
    .record(z.string().min(1).max(128), httpRouteSchema)
    .optional()
    .describe("Per-method verb and path instead of POST <base_url>/<method>"),
});
export type HttpConfig = z.output<typeof httpConfigSchema>;

/** The dotted paths of the secret fields of an http configuration. */
export const HTTP_SECRET_FIELDS = ["auth.token", "auth.password", "auth.value"] as const;
