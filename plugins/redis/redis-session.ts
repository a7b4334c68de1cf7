/**
 * @module
 * One connection to Redis for one plugin call: opened through the context's `connect` (which
 * applies the egress rule), TLS for `rediss://`, `AUTH` and `SELECT` first, then commands one at a
 * time, closed at the end whatever happened (and when the call's signal aborts). An error reply
 * becomes `external.failed` with Redis's own message (which never holds the password); a broken
 * stream or a closed socket too; a reply past 1 MiB or an array past 65,536 items is
 * `external.too_large`. No pooling: a call is a handful of round trips.
 */
import { EngineError, isEngineError } from "../../engine/errors.ts";
import type { PluginContext } from "../contract.ts";
import type { RedisAddress } from "./redis-url.ts";
import { encodeCommand, RespParser, RespProtocolError, RespTooLargeError, type RespValue } from "./resp.ts";

export interface RedisSession {
  /** Sends one command and answers its reply (an error reply throws). */
  command(args: readonly string[]): Promise<RespValue>;
}

export async function withRedis<T>(
  address: RedisAddress,
  context: PluginContext,
  work: (session: RedisSession) => Promise<T>,
): Promise<T> {
  const socket = context.connect(
    { hostname: address.hostname, port: address.port },
    { secureTransport: address.tls ? "on" : "off", allowHalfOpen: false },
  );
  const close = () => {
    socket.close().catch(() => undefined);
  };
  context.signal.addEventListener("abort", close, { once: true });
  if (context.signal.aborted) close();
  const writer = socket.writable.getWriter();
  const reader = socket.readable.getReader();
  const parser = new RespParser();
  const pending: RespValue[] = [];

  const readReply = async (): Promise<RespValue> => {
    while (pending.length === 0) {
      const { done, value } = await reader.read();
      if (done)
        throw new EngineError("external.failed", "redis: the server closed the connection", {
          retryable: true,
        });
      if (value instanceof Uint8Array) pending.push(...parser.push(value));
    }
    const reply = pending.shift();
    if (reply === undefined) throw new EngineError("external.failed", "redis: no reply");
    return reply;
  };

  const session: RedisSession = {
    async command(args) {
      await writer.write(encodeCommand(args));
      const reply = await readReply();
      if (reply.type === "error") {
        throw new EngineError("external.failed", `redis ${args[0]}: ${reply.message.slice(0, 200)}`, {
          retryable: /^(LOADING|BUSY|TRYAGAIN|CLUSTERDOWN|MASTERDOWN)\b/.test(reply.message),
        });
      }
      return reply;
    },
  };

  try {
    if (address.password !== undefined) {
      await session.command(
        address.username === undefined
          ? ["AUTH", address.password]
          : ["AUTH", address.username, address.password],
      );
    }
    if (address.database !== 0) await session.command(["SELECT", String(address.database)]);
    return await work(session);
  } catch (error) {
    throw asEngineError(error, context.signal);
  } finally {
    context.signal.removeEventListener("abort", close);
    close();
  }
}

function asEngineError(error: unknown, signal: AbortSignal): unknown {
  if (isEngineError(error)) return error;
  if (signal.aborted)
    return new EngineError("external.timeout", "redis: the call was cut off by its timeout", {
      retryable: true,
    });
  if (error instanceof RespTooLargeError)
    return new EngineError("external.too_large", `redis: ${error.message}`);
  if (error instanceof RespProtocolError) {
    return new EngineError("external.failed", `redis: the server broke the protocol (${error.message})`);
  }
  // Socket errors (refused, reset, TLS) say nothing secret, but their text varies: keep it short.
  return new EngineError("external.failed", "redis: the connection failed", {
    retryable: true,
    cause: error,
  });
}
