/**
 * @module
 * `http@2.0.0`, beside 1.x to show two majors side by side. What changed (breaking):
 * - a method names its verb: `"GET /status"`, `"DELETE /items/{id}"`; a bare name is still POST
 *   `<base_url>/<name>`;
 * - the answer adds `duration_ms`, the time from sending the request to reading the whole body.
 * Configuration, auth and `Idempotency-Key` are as in 1.x.
 */
import { z } from "zod";
import { EngineError } from "../../engine/errors.ts";
import { ANY_METHOD, definePlugin } from "../define-plugin.ts";
import { callHttp, httpParamsSchema, httpResponseSchema } from "./http-call.ts";
import { HTTP_SECRET_FIELDS, HTTP_VERBS, type HttpRoute, httpConfigSchema } from "./http-config.ts";
import { pathOfMethod } from "./http-request.ts";

const LABEL = "http@2";
const VERB_AND_PATH = /^([A-Z]+) (\S+)$/;

export const httpPluginV2 = definePlugin({
  name: "http",
  version: "2.0.0",
  description: "Calls an HTTP API; a method is `VERB /path` (or a name, POSTed); answers with duration_ms",
  roles: ["call"],
  config: httpConfigSchema,
  capabilities: { http: true, sockets: false, bindings: [], secretFields: HTTP_SECRET_FIELDS },
  methods: (method) => ({
    [ANY_METHOD]: method({
      description:
        "`VERB /path` under base_url (GET, HEAD, POST, PUT, PATCH, DELETE), a configured method, or a name POSTed",
      params: httpParamsSchema,
      result: httpResponseSchema.extend({
        duration_ms: z.number().nonnegative().describe("From sending the request to reading the body"),
      }),
      run: async (params, config, context, methodName) => {
        const route = config.methods?.[methodName] ?? routeOfMethod(methodName);
        const started = performance.now();
        const response = await callHttp(config, route, params, context, LABEL);
        return { ...response, duration_ms: Math.max(0, Math.round(performance.now() - started)) };
      },
    }),
  }),
});

function routeOfMethod(methodName: string): HttpRoute {
  const match = VERB_AND_PATH.exec(methodName);
  if (match === null) return { verb: "POST", path: pathOfMethod(methodName, LABEL) };
  const verb = HTTP_VERBS.find((candidate) => candidate === match[1]);
  if (verb === undefined) {
    throw new EngineError(
      "external.failed",
      `${LABEL}: "${match[1]}" is not one of ${HTTP_VERBS.join(", ")}`,
    );
  }
  return { verb, path: pathOfMethod(match[2] ?? "", LABEL) };
}
