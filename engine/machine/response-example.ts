/**
 * @module
 * An example answer built from a step's declared answer shape (the JSON Schema subset the engine
 * checks: `type`, `required`, `properties`, plus `items`, `enum`, `example(s)` and `default` when
 * given), handed to the agent next to the schema so it sees what a fitting answer looks like.
 */

type Shape = Record<string, unknown>;

/** The most levels of nesting followed: a deeper or self-similar schema gets `null` there. */
const MAX_DEPTH = 8;

export function exampleOf(shape: unknown, depth = 0): unknown {
  if (!isShape(shape) || depth > MAX_DEPTH) return null;
  if ("example" in shape) return shape.example;
  if (Array.isArray(shape.examples) && shape.examples.length > 0) return shape.examples[0];
  if ("default" in shape) return shape.default;
  if (Array.isArray(shape.enum) && shape.enum.length > 0) return shape.enum[0];
  const type = Array.isArray(shape.type) ? shape.type[0] : shape.type;
  switch (type) {
    case "object":
      return objectExample(shape, depth);
    case "array":
      return [exampleOf(shape.items, depth + 1)];
    case "string":
      return typeof shape.description === "string" ? shape.description : "text";
    case "integer":
    case "number":
      return 0;
    case "boolean":
      return true;
    case "null":
      return null;
    default:
      return isShape(shape.properties) ? objectExample(shape, depth) : null;
  }
}

function objectExample(shape: Shape, depth: number): Record<string, unknown> {
  const properties = isShape(shape.properties) ? shape.properties : {};
  const entries = Object.entries(properties).map(([name, sub]) => [name, exampleOf(sub, depth + 1)] as const);
  const named = new Set(entries.map(([name]) => name));
  for (const name of Array.isArray(shape.required) ? shape.required : []) {
    if (typeof name === "string" && !named.has(name)) entries.push([name, null]);
  }
  // own properties only, whatever the names (fromEntries never reaches a prototype)
  return Object.fromEntries(entries);
}

function isShape(value: unknown): value is Shape {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}
