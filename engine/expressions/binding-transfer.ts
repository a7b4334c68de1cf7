/**
 * @module
 * How bindings cross into the sandbox: one JSON array `[this, ...values]`, plus a mask marking
 * the entries that are `undefined` (JSON cannot say so). Only the names a source reads are
 * sent, and a plain-object scope that the source reads only as `scope.prop` is cut down to those
 * properties, so `{{ this.total_files }}` does not copy the whole state. Copying through JSON is
 * what keeps host objects out: the sandbox only ever sees a fresh copy. It must not send a value
 * that differs from what a full copy would show the source.
 */

import { EngineError } from "../errors.ts";

export interface EncodedArguments {
  json: string;
  /** `"1"` for each entry that is `undefined`, `"0"` otherwise; absent when there is none. */
  mask: string | undefined;
}

/** What the transfer needs to know about the source (see `SourceAnalysis`). */
export interface ReadNames {
  readonly usesThis: boolean;
  readonly memberReads: ReadonlyMap<string, readonly string[]>;
}

export function encodeArguments(
  reads: ReadNames,
  names: readonly string[],
  bindings: Readonly<Record<string, unknown>>,
): EncodedArguments {
  let json = "[";
  let mask = "";
  let hasUndefined = false;
  for (let i = -1; i < names.length; i++) {
    const name = i < 0 ? "this" : (names[i] as string);
    const value = i < 0 && !reads.usesThis ? undefined : bindings[name];
    const text = encodeValue(name, value, reads.memberReads.get(name));
    if (i >= 0) json += ",";
    if (text === undefined) {
      json += "null";
      mask += "1";
      hasUndefined = true;
    } else {
      json += text;
      mask += "0";
    }
  }
  return { json: `${json}]`, mask: hasUndefined ? mask : undefined };
}

function encodeValue(
  name: string,
  value: unknown,
  properties: readonly string[] | undefined,
): string | undefined {
  if (properties === undefined || !canPick(value, properties)) return toJson(name, value);
  let json = "{";
  for (const property of properties) {
    const text = toJson(name, value[property]);
    if (text === undefined) continue;
    json += `${json.length > 1 ? "," : ""}${JSON.stringify(property)}:${text}`;
  }
  return `${json}}`;
}

/** A plain object that has every property read as its own: picking them shows the source the same values. */
function canPick(value: unknown, properties: readonly string[]): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) return false;
  if (Object.hasOwn(value, "toJSON")) return false;
  return properties.every((property) => Object.hasOwn(value, property));
}

function toJson(name: string, value: unknown): string | undefined {
  try {
    return JSON.stringify(value) as string | undefined;
  } catch (error) {
    throw new EngineError(
      "expression.runtime",
      `binding '${name}' is not plain data: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }
}
