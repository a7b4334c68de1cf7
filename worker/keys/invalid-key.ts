/**
 * @module
 * The one answer to an API key that is not valid, wherever it is checked (the `/mcp` entry, the
 * admitting call, the other tenant routes), so a refused key reads the same everywhere.
 */
import { EngineError } from "../../engine/errors.ts";
import { RuntimeCodes } from "../errors/codes.ts";

export const INVALID_KEY_MESSAGE =
  "The API key is not valid (unknown or revoked). Check the key your client sends (`efk_<tenant>_<id>_<secret>`, " +
  "all of it); an admin issues a new one with POST /admin/tenants/:id/keys. Clients that add edgeflow by URL " +
  "need no key: remove the Authorization header and they sign in with OAuth.";

export function invalidKeyError(): EngineError {
  return new EngineError(RuntimeCodes.authInvalidKey, INVALID_KEY_MESSAGE);
}
