/**
 * The context's fetch follows redirects itself: a redirect to another origin (here `localhost`
 * instead of `127.0.0.1`, same local target) does not carry the request's credentials there.
 */
import { describe, expect, it } from "vitest";
import { guardedFetch } from "../../durable-objects/tenant/guarded-fetch.ts";
import { target } from "./support/effects.ts";

function fetchVia() {
  return guardedFetch({
    allowPrivate: true,
    signal: new AbortController().signal,
    maxResponseBytes: 1 << 20,
  });
}

function request(to: string): Request {
  return new Request(`${target()}/redirect?to=${encodeURIComponent(to)}`, {
    headers: {
      authorization: "Bearer the-secret",
      cookie: "session=the-secret",
      "x-api-key": "the-secret",
      "idempotency-key": "k-1",
      "user-agent": "edgeflow-test",
    },
  });
}

describe("guardedFetch and redirects", () => {
  it("drops the credentials when a redirect changes the origin", async () => {
    const other = target().replace("127.0.0.1", "localhost");
    const answer = await (await fetchVia()(request(`${other}/echo/stolen`))).json();
    expect(answer).toMatchObject({ path: "/echo/stolen", authorization: null, key: "k-1" });
  });

  it("keeps them on a redirect within the origin", async () => {
    const answer = await (await fetchVia()(request(`${target()}/echo/same`))).json();
    expect(answer).toMatchObject({ path: "/echo/same", authorization: "Bearer the-secret", key: "k-1" });
  });
});
