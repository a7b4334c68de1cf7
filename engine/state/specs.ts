/**
 * @module
 * The parts of a workflow definition the state functions read, declared structurally so the
 * zod-derived dialect types (`ComputedField`, `InputSpec`, ...) are assignable to them. Types only.
 */

export type ComputedOnError = "use_fallback" | "propagate" | "ignore";

/** A computed field: `from` a path, a `{{ expr }}`, or a list of them; an optional `transform` over `input`. */
export interface ComputedFieldSpec {
  from: string | readonly string[];
  /** JavaScript over `input`; without one the field is `input` itself */
  transform?: string | undefined;
  /** default `use_fallback` */
  on_error?: ComputedOnError | undefined;
  /** stored by `use_fallback`; default null */
  fallback?: unknown;
}

export type ComputedFieldSpecs = Readonly<Record<string, ComputedFieldSpec>>;

export type ValueTypeName = "string" | "number" | "boolean" | "object" | "array" | "any";

/** One input. A bare type name is shorthand for `{type}`; a type name not in `ValueTypeName` checks nothing. */
export interface InputFieldSpec {
  type?: ValueTypeName | (string & {}) | undefined;
  description?: string | undefined;
  /** default true */
  required?: boolean | undefined;
  default?: unknown;
}

/** What `initState` reads from a workflow (or a sub-agent task) definition. */
export interface StateInitSpec {
  inputs?: Readonly<Record<string, InputFieldSpec | ValueTypeName>> | undefined;
  default_state?: DefaultStateSpec | undefined;
  state_schema?:
    | {
        computed?: ComputedFieldSpecs | undefined;
        /** declared types of inputs, checked at start like `inputs.<name>.type` */
        inputs?: Readonly<Record<string, ValueTypeName | (string & {})>> | undefined;
        /** declared types of the `this` fields, checked on every write */
        state?: Readonly<Record<string, ValueTypeName | (string & {})>> | undefined;
      }
    | undefined;
}

/** Initial values of the state tiers; `inputs` are defaults for inputs. */
export interface DefaultStateSpec {
  state?: Readonly<Record<string, unknown>> | undefined;
  global?: Readonly<Record<string, unknown>> | undefined;
  inputs?: Readonly<Record<string, unknown>> | undefined;
}
