/**
 * @module
 * Finds, for each free name in a source, the properties it is read through when every use is a
 * static member access (`this.total_files`, `inputs?.file_path`). The evaluator then copies only
 * those properties of a large scope into the sandbox instead of the whole scope. A name used any
 * other way (bare, computed `x[k]`, destructured, passed along) is left out, which means "copy
 * it whole"; so is everything when `arguments` appears. It must only ever under-prune: when in
 * doubt, the name is copied whole.
 */

import type { Token } from "./js-lexer.ts";

export class MemberAccessTracker {
  /** Properties per name; `null` once the name was used other than as `name.prop`. */
  readonly #access = new Map<string, Set<string> | null>();
  /** The free name just seen, waiting to learn whether a `.` follows. */
  #afterName: string | undefined;
  /** The free name followed by `.` or `?.`, waiting for the property name. */
  #awaitingProperty: string | undefined;
  #disabled = false;

  /** Feeds the next token; `freeName` is true when it is a name read from scope (or `this`). */
  see(token: Token, freeName: boolean): void {
    if (this.#awaitingProperty !== undefined) {
      const name = this.#awaitingProperty;
      this.#awaitingProperty = undefined;
      if (token.kind === "name") this.#addProperty(name, token.value);
      else this.#markWhole(name);
    }
    if (this.#afterName !== undefined) {
      const name = this.#afterName;
      this.#afterName = undefined;
      if (token.kind === "punct" && (token.value === "." || token.value === "?."))
        this.#awaitingProperty = name;
      else this.#markWhole(name);
    }
    if (token.kind === "name" && token.value === "arguments") this.#disabled = true;
    if (freeName) this.#afterName = token.value;
  }

  /** Names read only through static properties, with those properties. */
  finish(): ReadonlyMap<string, readonly string[]> {
    if (this.#afterName !== undefined) this.#markWhole(this.#afterName);
    if (this.#awaitingProperty !== undefined) this.#markWhole(this.#awaitingProperty);
    const result = new Map<string, readonly string[]>();
    if (this.#disabled) return result;
    for (const [name, properties] of this.#access) {
      if (properties !== null) result.set(name, [...properties]);
    }
    return result;
  }

  #addProperty(name: string, property: string): void {
    const properties = this.#access.get(name);
    if (properties === null) return;
    if (properties === undefined) this.#access.set(name, new Set([property]));
    else properties.add(property);
  }

  #markWhole(name: string): void {
    this.#access.set(name, null);
  }
}
