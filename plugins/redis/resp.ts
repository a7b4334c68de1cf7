/**
 * @module
 * RESP2, the Redis wire protocol (https://redis.io/docs/latest/develop/reference/protocol-spec/):
 * `encodeCommand` writes a command as an array of bulk strings; `RespParser` reads replies from
 * chunks as they arrive, however the stream splits them (mid-line, mid-CRLF, mid-bulk), and
 * answers every complete reply in order. Simple strings, errors, integers, bulk strings (nil
 * included), arrays (nil and nested included). Pure: no sockets; limits keep a hostile server
 * from making it buffer without end. Bulk strings are decoded as UTF-8 (values here are JSON text).
 */

export type RespValue =
  | { type: "simple"; value: string }
  | { type: "error"; message: string }
  | { type: "integer"; value: number }
  | { type: "bulk"; value: string | null }
  | { type: "array"; items: RespValue[] | null };

/** The server broke the protocol (or a limit): the connection cannot be trusted any more. */
export class RespProtocolError extends Error {
  override readonly name = "RespProtocolError";
}

export interface RespParserOptions {
  /** Bytes buffered for one incomplete reply at most (default 8 MiB). */
  maxBufferedBytes?: number;
  /** Nesting of arrays at most (default 16). */
  maxDepth?: number;
}

const CR = 13;
const LF = 10;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** `*<n>\r\n` then `$<len>\r\n<bytes>\r\n` per argument: how a client sends any command. */
export function encodeCommand(args: readonly string[]): Uint8Array {
  return encodeValue({ type: "array", items: args.map((value) => ({ type: "bulk", value })) });
}

/** Any value as RESP2 bytes (replies too: the property test and a test server use it). */
export function encodeValue(value: RespValue): Uint8Array {
  const parts: Uint8Array[] = [];
  writeValue(value, parts);
  return concat(parts);
}

function writeValue(value: RespValue, parts: Uint8Array[]): void {
  switch (value.type) {
    case "simple":
      parts.push(encoder.encode(`+${singleLine(value.value)}\r\n`));
      return;
    case "error":
      parts.push(encoder.encode(`-${singleLine(value.message)}\r\n`));
      return;
    case "integer":
      parts.push(encoder.encode(`:${value.value}\r\n`));
      return;
    case "bulk": {
      if (value.value === null) {
        parts.push(encoder.encode("$-1\r\n"));
        return;
      }
      const bytes = encoder.encode(value.value);
      parts.push(encoder.encode(`$${bytes.length}\r\n`), bytes, encoder.encode("\r\n"));
      return;
    }
    case "array":
      if (value.items === null) {
        parts.push(encoder.encode("*-1\r\n"));
        return;
      }
      parts.push(encoder.encode(`*${value.items.length}\r\n`));
      for (const item of value.items) writeValue(item, parts);
      return;
  }
}

function singleLine(text: string): string {
  if (/[\r\n]/.test(text)) throw new RespProtocolError("a simple string or error cannot hold CR or LF");
  return text;
}

interface Parsed {
  value: RespValue;
  next: number;
}

/** Reads replies from a byte stream split anywhere. */
export class RespParser {
  #buffer: Uint8Array = new Uint8Array(0);
  readonly #maxBufferedBytes: number;
  readonly #maxDepth: number;

  constructor(options: RespParserOptions = {}) {
    this.#maxBufferedBytes = options.maxBufferedBytes ?? 8 * 1024 * 1024;
    this.#maxDepth = options.maxDepth ?? 16;
  }

  /** Adds a chunk; answers the replies it completed (none while one is still partial). */
  push(chunk: Uint8Array): RespValue[] {
    this.#buffer = this.#buffer.length === 0 ? chunk.slice() : concat([this.#buffer, chunk]);
    const replies: RespValue[] = [];
    let offset = 0;
    for (;;) {
      const parsed = this.#parse(offset, 0);
      if (parsed === undefined) break;
      replies.push(parsed.value);
      offset = parsed.next;
    }
    this.#buffer = this.#buffer.subarray(offset);
    if (this.#buffer.length > this.#maxBufferedBytes) {
      throw new RespProtocolError(`a reply is larger than ${this.#maxBufferedBytes} bytes`);
    }
    return replies;
  }

  /** Bytes received but not yet part of a complete reply. */
  get pendingBytes(): number {
    return this.#buffer.length;
  }

  #parse(offset: number, depth: number): Parsed | undefined {
    const line = this.#line(offset);
    if (line === undefined) return undefined;
    const { text, next } = line;
    switch (text[0]) {
      case "+":
        return { value: { type: "simple", value: text.slice(1) }, next };
      case "-":
        return { value: { type: "error", message: text.slice(1) }, next };
      case ":":
        return { value: { type: "integer", value: integerOf(text.slice(1)) }, next };
      case "$":
        return this.#bulk(integerOf(text.slice(1)), next);
      case "*":
        return this.#array(integerOf(text.slice(1)), next, depth);
      default:
        throw new RespProtocolError(`unknown reply type ${JSON.stringify(text.slice(0, 1))}`);
    }
  }

  #bulk(length: number, start: number): Parsed | undefined {
    if (length === -1) return { value: { type: "bulk", value: null }, next: start };
    if (length < 0 || length > this.#maxBufferedBytes)
      throw new RespProtocolError(`bad bulk length ${length}`);
    const end = start + length;
    if (this.#buffer.length < end + 2) return undefined;
    if (this.#buffer[end] !== CR || this.#buffer[end + 1] !== LF) {
      throw new RespProtocolError("a bulk string does not end with CRLF");
    }
    return {
      value: { type: "bulk", value: decoder.decode(this.#buffer.subarray(start, end)) },
      next: end + 2,
    };
  }

  #array(count: number, start: number, depth: number): Parsed | undefined {
    if (count === -1) return { value: { type: "array", items: null }, next: start };
    if (count < 0 || count > this.#maxBufferedBytes / 3)
      throw new RespProtocolError(`bad array length ${count}`);
    if (depth >= this.#maxDepth) throw new RespProtocolError(`arrays nested deeper than ${this.#maxDepth}`);
    const items: RespValue[] = [];
    let next = start;
    for (let index = 0; index < count; index++) {
      const item = this.#parse(next, depth + 1);
      if (item === undefined) return undefined;
      items.push(item.value);
      next = item.next;
    }
    return { value: { type: "array", items }, next };
  }

  /** The line at `offset` without its CRLF, or undefined while its CRLF has not arrived. */
  #line(offset: number): { text: string; next: number } | undefined {
    const cr = this.#buffer.indexOf(CR, offset);
    if (cr < 0 || cr + 1 >= this.#buffer.length) {
      if (this.#buffer.length - offset > 64 * 1024) throw new RespProtocolError("a reply line is too long");
      return undefined;
    }
    if (this.#buffer[cr + 1] !== LF) throw new RespProtocolError("CR without LF in a reply line");
    return { text: decoder.decode(this.#buffer.subarray(offset, cr)), next: cr + 2 };
  }
}

function integerOf(text: string): number {
  if (!/^-?\d{1,19}$/.test(text))
    throw new RespProtocolError(`not an integer: ${JSON.stringify(text.slice(0, 24))}`);
  const value = Number(text);
  if (!Number.isSafeInteger(value)) throw new RespProtocolError(`integer ${text} is past 2^53`);
  return value;
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const total = parts.reduce((sum, part) => sum + part.length, 0);
  const out = new Uint8Array(total);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
