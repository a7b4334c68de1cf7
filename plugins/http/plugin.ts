/**
 * @module
 * `http@1.1.0`: `external_call` to `<base_url>/<method>` as POST with the params as JSON, unless
 * `config.methods` gives the method another verb and path. Answers `{status, headers, body}`.
 * Every request carries `Idempotency-Key` (the context's key, the same for all attempts of one
 * step at one position of one run).
 */
import { ANY_METHOD, definePlugin } from "../define-plugin.ts";
import { callHttp, httpParamsSchema, httpResponseSchema } from "./http-call.ts";
import { HTTP_SECRET_FIELDS, httpConfigSchema } from "./http-config.ts";
import { pathOfMethod } from "./http-request.ts";

const LABEL = "http@1";

export const httpPluginV1 = definePlugin({
  name: "http",
  version: "1.1.0",
  description:
    "Calls an HTTP API: POST <base_url>/<method> with the params as JSON, or a configured verb and path",
  roles: ["call"],
  config: httpConfigSchema,
  capabilities: { http: true, sockets: false, bindings: [], secretFields: HTTP_SECRET_FIELDS },
  methods: (method) => ({
    [ANY_METHOD]: method({
      description: "Any method name: POST <base_url>/<method>, or the verb and path config.methods gives it",
      params: httpParamsSchema,
      result: httpResponseSchema,
      run: (params, config, context, methodName) => {
        const route = config.methods?.[methodName] ?? { verb: "POST", path: pathOfMethod(methodName, LABEL) };
        return callHttp(config, route, params, context, LABEL);
      },
    }),
  }),
});
