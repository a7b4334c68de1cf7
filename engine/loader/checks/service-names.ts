/**
 * @module
 * A `services:` entry named `__proto__` (`loader.invalid_value`, at that key). The schema cannot
 * say so: zod skips the key rather than let it set the parsed object's prototype, so without
 * this check the service would vanish without a word.
 */
import { errorFinding, type Finding } from "../diagnostic.ts";
import { isPlainRecord } from "../step-walk.ts";

export function checkServiceNames(document: unknown): Finding[] {
  if (!isPlainRecord(document) || !isPlainRecord(document.services)) return [];
  if (!Object.hasOwn(document.services, "__proto__")) return [];
  return [
    errorFinding(
      "loader.invalid_value",
      "a service may not be named __proto__ (a service name must match ^[A-Za-z_][A-Za-z0-9_-]{0,63}$ and not be __proto__)",
      ["services", "__proto__"],
    ),
  ];
}
