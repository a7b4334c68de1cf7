/**
 * @module
 * Small, range-preserving edits of a parsed `yaml` Document, for the schema_version 1 upgrade:
 * renamed keys and changed scalars keep their source positions; inserted nodes borrow the
 * position of the node they replace so diagnostics still point into the file.
 */
import {
  type Document,
  isMap,
  isScalar,
  isSeq,
  type Node,
  Pair,
  Scalar,
  type YAMLMap,
  type YAMLSeq,
} from "yaml";

export type MapNode = YAMLMap<unknown, unknown>;
export type SeqNode = YAMLSeq<unknown>;

export function keyOf(pair: Pair<unknown, unknown>): string | undefined {
  if (isScalar(pair.key)) return String(pair.key.value);
  return typeof pair.key === "string" ? pair.key : undefined;
}

export function pairOf(map: MapNode, key: string): Pair<unknown, unknown> | undefined {
  return map.items.find((pair) => keyOf(pair) === key);
}

export function mapAt(map: MapNode, key: string): MapNode | undefined {
  const value = pairOf(map, key)?.value;
  return isMap(value) ? value : undefined;
}

export function seqAt(map: MapNode, key: string): SeqNode | undefined {
  const value = pairOf(map, key)?.value;
  return isSeq(value) ? value : undefined;
}

export function scalarAt(map: MapNode, key: string): Scalar | undefined {
  const value = pairOf(map, key)?.value;
  return isScalar(value) ? value : undefined;
}

export function stringAt(map: MapNode, key: string): string | undefined {
  const value = scalarAt(map, key)?.value;
  return typeof value === "string" ? value : undefined;
}

/** Renames a key in place; its node (and source position) is kept. */
export function renameKey(pair: Pair<unknown, unknown>, newKey: string): void {
  if (isScalar(pair.key)) pair.key.value = newKey;
  else pair.key = new Scalar(newKey);
}

/** The start offset of a node, if it came from the source. */
export function startOf(node: unknown): number | undefined {
  const range = (node as Node | undefined)?.range;
  return Array.isArray(range) ? range[0] : undefined;
}

/** A new node for `value` that reports the position of `positionOf`. */
export function createNodeAt(document: Document, value: unknown, positionOf: unknown): Node {
  const node = document.createNode(value) as Node;
  const start = startOf(positionOf);
  if (start !== undefined) node.range = [start, start, start];
  return node;
}

/** Sets `key` to `value` (a plain value or a node), inserting the pair at `index` (default: the end). */
export function setPair(
  document: Document,
  map: MapNode,
  key: string,
  value: unknown,
  positionOf: unknown,
  index = map.items.length,
): void {
  const node =
    isScalar(value) || isMap(value) || isSeq(value) ? value : createNodeAt(document, value, positionOf);
  const existing = pairOf(map, key);
  if (existing) {
    existing.value = node;
    return;
  }
  map.items.splice(index, 0, new Pair(createNodeAt(document, key, positionOf), node));
}

export function removePair(map: MapNode, key: string): Pair<unknown, unknown> | undefined {
  const index = map.items.findIndex((pair) => keyOf(pair) === key);
  if (index < 0) return undefined;
  return map.items.splice(index, 1)[0];
}
