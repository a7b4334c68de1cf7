/**
 * @module
 * RESP2, the Redis wire protocol (https://redis.io/docs/latest/develop/reference/protocol-spec/):
 * `encodeCommand` writes a command as an array of bulk strings; `RespParser` reads replies from
 * chunks as they arrive, however the stream splits them (mid-line, mid-CRLF, mid-bulk), and
 * answers every complete reply in order. Simple strings, errors, integers, bulk strings (nil
 * included), arrays (nil and nested included). Pure: no sockets. A hostile server can neither
 * make it buffer without end (1 MiB a reply, 65,536 items an array: `RespTooLargeError`) nor
 * make it work more than once per byte. Bulk strings are decoded as UTF-8 (values here are JSON text).
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
  /** Bytes of one reply at most, as received (default 1 MiB, the cap of an HTTP response body). */
  maxReplyBytes?: number;
  /** Items of one array at most (default 65,536). */
  maxArrayLength?: number;
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

/** A reply past the parser's size or array-length limit (the session answers `external.too_large`). */
export class RespTooLargeError extends RespProtocolError {}

/** An array still waiting for `remaining` more items. */
interface OpenArray {
  items: RespValue[];
  remaining: number;
}

const MAX_LINE_BYTES = 64 * 1024;

/**
 * Reads replies from a byte stream split anywhere, in time linear in the bytes received: every
 * byte is scanned once (a line's search resumes where it stopped, a bulk string waits for its
 * length), parsed elements leave the buffer at once and open arrays wait on a stack.
 */
export class RespParser {
  /** Unread bytes are `#buffer[#start, #end)`; the buffer grows by doubling. */
  #buffer: Uint8Array = new Uint8Array(0);
  #start = 0;
  #end = 0;
  /** Unread bytes already searched for the CR that ends the current line. */
  #scanned = 0;
  /** The length of the bulk string whose header was read and whose bytes are awaited. */
  #bulkLength: number | undefined;
  readonly #open: OpenArray[] = [];
  /** Bytes of the reply in progress already parsed (they have left the buffer). */
  #replyBytes = 0;
  readonly #maxReplyBytes: number;
  readonly #maxArrayLength: number;
  readonly #maxDepth: number;

  constructor(options: RespParserOptions = {}) {
    this.#maxReplyBytes = options.maxReplyBytes ?? 1024 * 1024;
    this.#maxArrayLength = options.maxArrayLength ?? 65_536;
    this.#maxDepth = options.maxDepth ?? 16;
  }

  /** Adds a chunk; answers the replies it completed (none while one is still partial). */
  push(chunk: Uint8Array): RespValue[] {
    this.#append(chunk);
    const replies: RespValue[] = [];
    for (;;) {
      const element = this.#element();
      if (element === undefined) break;
      const reply = this.#settle(element);
      if (reply !== undefined) {
        replies.push(reply);
        this.#replyBytes = 0;
      }
    }
    if (this.pendingBytes > this.#maxReplyBytes) throw this.#tooLarge();
    return replies;
  }

  /** Bytes received but not yet part of a complete reply. */
  get pendingBytes(): number {
    return this.#replyBytes + this.#end - this.#start;
  }

  #append(chunk: Uint8Array): void {
    const pending = this.#end - this.#start;
    if (this.#end + chunk.length > this.#buffer.length) {
      const needed = pending + chunk.length;
      if (needed * 2 > this.#buffer.length) {
        const grown = new Uint8Array(Math.max(needed * 2, 4096));
        grown.set(this.#buffer.subarray(this.#start, this.#end));
        this.#buffer = grown;
      } else {
        this.#buffer.copyWithin(0, this.#start, this.#end);
      }
      this.#start = 0;
      this.#end = pending;
    }
    this.#buffer.set(chunk, this.#end);
    this.#end += chunk.length;
  }

  /** Marks `count` unread bytes as parsed, counting them against the reply's limit. */
  #consume(count: number): void {
    this.#start += count;
    this.#scanned = 0;
    this.#replyBytes += count;
    if (this.#replyBytes > this.#maxReplyBytes) throw this.#tooLarge();
    if (this.#start === this.#end) {
      this.#start = 0;
      this.#end = 0;
    }
  }

  /** The next complete element (an array header opens an array and reads on), or undefined. */
  #element(): RespValue | undefined {
    for (;;) {
      if (this.#bulkLength !== undefined) return this.#bulkBody(this.#bulkLength);
      const text = this.#line();
      if (text === undefined) return undefined;
      switch (text[0]) {
        case "+":
          return { type: "simple", value: text.slice(1) };
        case "-":
          return { type: "error", message: text.slice(1) };
        case ":":
          return { type: "integer", value: integerOf(text.slice(1)) };
        case "$": {
          const length = integerOf(text.slice(1));
          if (length === -1) return { type: "bulk", value: null };
          if (length < 0) throw new RespProtocolError(`bad bulk length ${length}`);
          if (this.#replyBytes + length + 2 > this.#maxReplyBytes) throw this.#tooLarge();
          this.#bulkLength = length;
          break;
        }
        case "*": {
          const count = integerOf(text.slice(1));
          if (count === -1) return { type: "array", items: null };
          if (count < 0) throw new RespProtocolError(`bad array length ${count}`);
          if (count > this.#maxArrayLength)
            throw new RespTooLargeError(`an array of ${count} items is longer than ${this.#maxArrayLength}`);
          if (this.#open.length >= this.#maxDepth)
            throw new RespProtocolError(`arrays nested deeper than ${this.#maxDepth}`);
          if (count === 0) return { type: "array", items: [] };
          this.#open.push({ items: [], remaining: count });
          break;
        }
        default:
          throw new RespProtocolError(`unknown reply type ${JSON.stringify(text.slice(0, 1))}`);
      }
    }
  }

  #bulkBody(length: number): RespValue | undefined {
    if (this.#end - this.#start < length + 2) return undefined;
    const end = this.#start + length;
    if (this.#buffer[end] !== CR || this.#buffer[end + 1] !== LF) {
      throw new RespProtocolError("a bulk string does not end with CRLF");
    }
    const value = decoder.decode(this.#buffer.subarray(this.#start, end));
    this.#bulkLength = undefined;
    this.#consume(length + 2);
    return { type: "bulk", value };
  }

  /** Puts an element into the array it completes; answers a whole reply once there is one. */
  #settle(element: RespValue): RespValue | undefined {
    let value = element;
    for (;;) {
      const top = this.#open.at(-1);
      if (top === undefined) return value;
      top.items.push(value);
      top.remaining -= 1;
      if (top.remaining > 0) return undefined;
      this.#open.pop();
      value = { type: "array", items: top.items };
    }
  }

  /** The next line without its CRLF (consumed), or undefined while its CRLF has not arrived. */
  #line(): string | undefined {
    const from = this.#start + this.#scanned;
    const cr = this.#buffer.subarray(0, this.#end).indexOf(CR, from);
    if (cr < 0 || cr + 1 >= this.#end) {
      this.#scanned = (cr < 0 ? this.#end : cr) - this.#start;
      if (this.#end - this.#start > MAX_LINE_BYTES) throw new RespProtocolError("a reply line is too long");
      return undefined;
    }
    if (this.#buffer[cr + 1] !== LF) throw new RespProtocolError("CR without LF in a reply line");
    const text = decoder.decode(this.#buffer.subarray(this.#start, cr));
    this.#consume(cr + 2 - this.#start);
    return text;
  }

  #tooLarge(): RespTooLargeError {
    return new RespTooLargeError(`a reply is larger than ${this.#maxReplyBytes} bytes`);
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
