/**
 * @module
 * The Lua script behind redis `put_versioned`, run atomically by `EVAL`: read the stored
 * document's `version` (absent, or not a versioned document: -1), write `{version, value}` (with
 * `EX ttl` when given) only when the new version is greater, and answer `[written, version]`.
 */
import { EngineError } from "../../engine/errors.ts";
import type { RespValue } from "./resp.ts";

export const PUT_VERSIONED_SCRIPT = `
local current = -1
local stored = redis.call('GET', KEYS[1])
if stored then
  local ok, document = pcall(cjson.decode, stored)
  if ok and type(document) == 'table' and type(document.version) == 'number' then
    current = document.version
  end
end
local incoming = tonumber(ARGV[2])
if current >= incoming then
  return {0, current}
end
if ARGV[3] ~= '' then
  redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[3])
else
  redis.call('SET', KEYS[1], ARGV[1])
end
return {1, incoming}
`;

export function versionedReplyOf(reply: RespValue): { written: boolean; version: number } {
  if (reply.type === "array" && reply.items !== null) {
    const [written, version] = reply.items;
    if (written?.type === "integer" && version?.type === "integer") {
      return { written: written.value === 1, version: version.value };
    }
  }
  throw new EngineError("external.failed", "redis put_versioned: an unexpected reply from the script");
}
