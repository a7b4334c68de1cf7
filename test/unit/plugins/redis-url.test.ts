/**
 * Redis URLs: redis:// and rediss:// (TLS), AUTH as the default user or user:password
 * (percent-decoded), the database index, and refusals that never quote the URL.
 */
import { describe, expect, it } from "vitest";
import { EngineError } from "../../../engine/errors.ts";
import { parseRedisUrl } from "../../../plugins/redis/redis-url.ts";

describe("parseRedisUrl", () => {
  it.each([
    [
      "redis://localhost",
      {
        hostname: "localhost",
        port: 6379,
        tls: false,
        username: undefined,
        password: undefined,
        database: 0,
      },
    ],
    [
      "rediss://:p%40ss@cache.example.com:6380/2",
      {
        hostname: "cache.example.com",
        port: 6380,
        tls: true,
        username: undefined,
        password: "p@ss",
        database: 2,
      },
    ],
    [
      "redis://ann:s%3Acret@10.0.0.5/15",
      { hostname: "10.0.0.5", port: 6379, tls: false, username: "ann", password: "s:cret", database: 15 },
    ],
    [
      "redis://[::1]:7000",
      { hostname: "::1", port: 7000, tls: false, username: undefined, password: undefined, database: 0 },
    ],
  ])("reads %s", (url, expected) => {
    expect(parseRedisUrl(url)).toEqual(expected);
  });

  it.each([
    "http://host",
    "not a url",
    "redis://host/db",
    "redis://host/70000",
    "redis://host?password=x",
    "redis://ann@host",
    "redis://:%zz@host",
  ])("refuses %s without quoting it", (url) => {
    let error: unknown;
    try {
      parseRedisUrl(url);
    } catch (thrown) {
      error = thrown;
    }
    expect(error).toBeInstanceOf(EngineError);
    expect(error).toMatchObject({ code: "external.failed" });
    expect(String(Reflect.get(Object(error), "message"))).not.toContain(url);
  });
});
