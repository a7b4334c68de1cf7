/**
 * `auth: {type: header}` may not name a header the platform sets (Host, Content-Length,
 * Idempotency-Key, ...): refused at publish by the step's and the http service's schema, and
 * again when the header is built (versions stored before the check).
 */
import { describe, expect, it } from "vitest";
import { externalCallAuthSchema } from "../../../engine/dialect/server-steps.ts";
import { authHeaders } from "../../../plugins/http/auth-headers.ts";
import { httpConfigSchema } from "../../../plugins/http/http-config.ts";

describe("auth.header", () => {
  it.each([
    "host",
    "Host",
    "content-length",
    "Idempotency-Key",
    "transfer-encoding",
    "connection",
    // headers a cross-origin redirect keeps: a credential in one would follow it (second attacker review)
    "User-Agent",
    "accept",
    "Content-Type",
    "X-Edgeflow-Idempotency-Key",
    "x a",
    "",
  ])("refuses %j at publish and when the header is set", (header) => {
    const auth = { type: "header" as const, header, value: "v" };
    expect(externalCallAuthSchema.safeParse(auth).success).toBe(false);
    expect(httpConfigSchema.safeParse({ base_url: "https://api.example.com", auth }).success).toBe(false);
    expect(() => authHeaders(auth, "http")).toThrow(expect.objectContaining({ code: "external.failed" }));
  });

  it("sets any other header", () => {
    const auth = { type: "header" as const, header: "X-Api-Key", value: "key-9" };
    expect(externalCallAuthSchema.safeParse(auth).success).toBe(true);
    expect(authHeaders(auth, "http")).toEqual({ "x-api-key": "key-9" });
  });
});

describe("a secret that becomes a header value", () => {
  it.each(["tök", "a\r\nX-Injected: 1", "a\nb", "nul\u0000", "emoji 🔑"])(
    "refuses %j without quoting it",
    (secret) => {
      for (const auth of [
        { type: "bearer" as const, token: secret },
        { type: "header" as const, header: "X-Api-Key", value: secret },
      ]) {
        let thrown: unknown;
        try {
          authHeaders(auth, "http");
        } catch (error) {
          thrown = error;
        }
        expect(thrown).toMatchObject({ code: "external.failed", message: expect.stringContaining("auth.") });
        expect(String(Reflect.get(Object(thrown), "message"))).not.toContain(secret);
      }
    },
  );

  it("takes printable ASCII, spaces and tabs; Basic encodes any UTF-8", () => {
    expect(authHeaders({ type: "bearer", token: "a b\tc~!" }, "http")).toEqual({
      authorization: "Bearer a b\tc~!",
    });
    expect(authHeaders({ type: "basic", username: "ann", password: "pä" }, "http").authorization).toMatch(
      /^Basic /,
    );
  });
});
