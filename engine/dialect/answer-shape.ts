/**
 * @module
 * The declared shape of an agent's answer (`agent_prompt`'s `expected_response`,
 * `agent_response`'s `response_schema`): the JSON Schema subset the engine checks, validated at
 * publish so a shape the checker cannot read is a load error, not a failure at every answer.
 * Checked: `type` (one JSON type), `required` (field names), `properties` and `items` (shapes
 * again, at most `MAX_ANSWER_SHAPE_DEPTH` levels). Other keywords (`description`, `enum`,
 * `example`, ...) pass through. A shape is static: no `{{ }}` templates anywhere in it.
 */
import { z } from "zod";

/** Levels of `properties` / `items` nesting a shape may have (the example stops there too). */
export const MAX_ANSWER_SHAPE_DEPTH = 8;

export const JSON_TYPES = ["object", "array", "string", "number", "integer", "boolean", "null"] as const;

export interface AnswerShape {
  type?: (typeof JSON_TYPES)[number];
  required?: string[];
  properties?: Record<string, AnswerShape>;
  items?: AnswerShape;
  [keyword: string]: unknown;
}

const nestedShapeSchema: z.ZodType<AnswerShape> = z.looseObject({
  type: z.enum(JSON_TYPES).optional().describe("JSON type of the value"),
  required: z.array(z.string()).optional().describe("Fields an object value must have"),
  get properties() {
    return z.record(z.string(), nestedShapeSchema).optional().describe("Shapes of the fields");
  },
  get items() {
    return nestedShapeSchema.optional().describe("Shape of each element of an array");
  },
});

/** A shape, with its depth and its freedom from templates checked. */
export const answerShapeSchema = nestedShapeSchema
  .superRefine((shape, ctx) => {
    const deep = tooDeepAt(shape, [], 0);
    if (deep !== undefined) {
      ctx.addIssue({
        code: "custom",
        path: deep,
        message: `an answer shape nests at most ${MAX_ANSWER_SHAPE_DEPTH} levels of properties/items`,
      });
    }
    const templated = templateAt(shape, []);
    if (templated !== undefined) {
      ctx.addIssue({
        code: "custom",
        path: templated,
        message: "an answer shape is checked as written: it may not contain {{ }} templates",
      });
    }
  })
  .describe(
    "JSON Schema subset of the answer: type, required, properties, items (no templates, at most 8 levels)",
  );

type Path = (string | number)[];

function tooDeepAt(shape: AnswerShape, path: Path, depth: number): Path | undefined {
  if (depth > MAX_ANSWER_SHAPE_DEPTH) return path;
  for (const [name, sub] of Object.entries(shape.properties ?? {})) {
    const deep = tooDeepAt(sub, [...path, "properties", name], depth + 1);
    if (deep !== undefined) return deep;
  }
  return shape.items === undefined ? undefined : tooDeepAt(shape.items, [...path, "items"], depth + 1);
}

function templateAt(value: unknown, path: Path): Path | undefined {
  if (typeof value === "string") return value.includes("{{") ? path : undefined;
  if (value === null || typeof value !== "object") return undefined;
  for (const [key, item] of Object.entries(value)) {
    const at = key.includes("{{") ? [...path, key] : templateAt(item, [...path, key]);
    if (at !== undefined) return at;
  }
  return undefined;
}
