/**
 * @module
 * Reads a Redis URL: `redis://[user[:password]@]host[:port][/db]`, or `rediss://` for TLS. The
 * user and password are percent-decoded; no password means no AUTH, a password without a user is
 * `AUTH <password>` (the default user), a user without a password is refused. The URL is a secret field: errors never quote it.
 */
import { EngineError } from "../../engine/errors.ts";

export interface RedisAddress {
  hostname: string;
  port: number;
  tls: boolean;
  username: string | undefined;
  password: string | undefined;
  database: number;
}

const DEFAULT_PORT = 6379;
const MAX_DATABASE = 65_535;

export function parseRedisUrl(text: string): RedisAddress {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw invalid("it is not a URL");
  }
  if (url.protocol !== "redis:" && url.protocol !== "rediss:") throw invalid("use redis:// or rediss://");
  if (url.hostname === "") throw invalid("it names no host");
  if (url.search !== "" || url.hash !== "") throw invalid("it may not carry a query or fragment");
  const port = url.port === "" ? DEFAULT_PORT : Number(url.port);
  const databaseText = url.pathname.replace(/^\//, "");
  if (databaseText !== "" && !/^\d{1,5}$/.test(databaseText))
    throw invalid("the path is the database number, /0 to /65535");
  const database = databaseText === "" ? 0 : Number(databaseText);
  if (database > MAX_DATABASE) throw invalid("the path is the database number, /0 to /65535");
  const username = decoded(url.username);
  const password = decoded(url.password);
  if (username !== undefined && password === undefined) {
    throw invalid("a user needs a password: redis://user:password@host, or redis://:password@host");
  }
  return {
    hostname: url.hostname.replace(/^\[(.*)\]$/, "$1"),
    port,
    tls: url.protocol === "rediss:",
    username,
    password,
    database,
  };
}

function decoded(part: string): string | undefined {
  if (part === "") return undefined;
  try {
    return decodeURIComponent(part);
  } catch {
    throw invalid("its user or password is not valid percent-encoding");
  }
}

function invalid(why: string): EngineError {
  return new EngineError("external.failed", `redis: config.url is not a usable Redis URL (${why})`);
}
