/**
 * @module
 * A plugin's `fetch` for an effect of a traced run: every request it sends carries the effect
 * span's W3C `traceparent` (docs/observability.md, "traceparent"), replacing one the plugin set,
 * so the called service's spans join the run's trace. Untraced runs get `fetch` unchanged.
 */
export function withTraceparent(
  fetch: (request: Request) => Promise<Response>,
  traceparent: string | undefined,
): (request: Request) => Promise<Response> {
  if (traceparent === undefined) return fetch;
  return (request) => {
    const traced = new Request(request);
    traced.headers.set("traceparent", traceparent);
    return fetch(traced);
  };
}
