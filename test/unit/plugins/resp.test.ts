/**
 * The RESP2 encoder and incremental parser: any reply survives encode → parse however the bytes
 * are split into chunks, several replies in one chunk come out in order, and a broken stream
 * (bad type byte, CR without LF, a bulk string without its CRLF, limits) is refused.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  encodeCommand,
  encodeValue,
  RespParser,
  RespProtocolError,
  RespTooLargeError,
  type RespValue,
} from "../../../plugins/redis/resp.ts";

const lineText = fc.string({ unit: "grapheme", maxLength: 40 }).filter((text) => !/[\r\n]/.test(text));

const { value: respValue } = fc.letrec<{ value: RespValue }>((tie) => ({
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    lineText.map((value): RespValue => ({ type: "simple", value })),
    lineText.map((message): RespValue => ({ type: "error", message })),
    fc.maxSafeInteger().map((value): RespValue => ({ type: "integer", value })),
    fc
      .option(fc.string({ unit: "grapheme", maxLength: 60 }), { nil: null })
      .map((value): RespValue => ({ type: "bulk", value })),
    fc
      .option(fc.array(tie("value"), { maxLength: 5 }), { nil: null })
      .map((items): RespValue => ({ type: "array", items })),
  ),
}));

/** `bytes` cut at the given (sorted, deduplicated) positions. */
function split(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((cut) => cut % (bytes.length + 1)))].sort((a, b) => a - b);
  const chunks: Uint8Array[] = [];
  let start = 0;
  for (const point of [...points, bytes.length]) {
    chunks.push(bytes.subarray(start, point));
    start = point;
  }
  return chunks;
}

function parseChunks(chunks: Uint8Array[]): RespValue[] {
  const parser = new RespParser();
  const replies = chunks.flatMap((chunk) => parser.push(chunk));
  expect(parser.pendingBytes).toBe(0);
  return replies;
}

const bytesOf = (text: string) => new TextEncoder().encode(text);

describe("RESP2", () => {
  it("round-trips any sequence of replies, however the stream is split", () => {
    fc.assert(
      fc.property(
        fc.array(respValue, { minLength: 1, maxLength: 6 }),
        fc.array(fc.nat(), { maxLength: 12 }),
        (values, cuts) => {
          const bytes = new Uint8Array(values.flatMap((value) => [...encodeValue(value)]));
          expect(parseChunks(split(bytes, cuts))).toEqual(values);
        },
      ),
      { numRuns: 400 },
    );
  });

  it("reads a reply fed one byte at a time, answering nothing until it is complete", () => {
    const bytes = encodeValue({
      type: "array",
      items: [
        { type: "bulk", value: "a\r\nb" },
        { type: "integer", value: -7 },
      ],
    });
    const parser = new RespParser();
    const replies = [...bytes].flatMap((byte, index) => {
      const answered = parser.push(Uint8Array.of(byte));
      if (index < bytes.length - 1) expect(answered).toEqual([]);
      return answered;
    });
    expect(replies).toEqual([
      {
        type: "array",
        items: [
          { type: "bulk", value: "a\r\nb" },
          { type: "integer", value: -7 },
        ],
      },
    ]);
  });

  it("encodes a command as an array of bulk strings counted in bytes", () => {
    expect(new TextDecoder().decode(encodeCommand(["SET", "k", "é"]))).toBe(
      "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$2\r\né\r\n",
    );
  });

  it("reads nil bulk strings, nil arrays, errors and integers", () => {
    expect(parseChunks([bytesOf("$-1\r\n*-1\r\n-ERR wrong\r\n:42\r\n+OK\r\n")])).toEqual([
      { type: "bulk", value: null },
      { type: "array", items: null },
      { type: "error", message: "ERR wrong" },
      { type: "integer", value: 42 },
      { type: "simple", value: "OK" },
    ]);
  });

  it.each([
    ["an unknown type byte", "!oops\r\n"],
    ["CR without LF", "+OK\rX\n"],
    ["a bulk string without its CRLF", "$2\r\nabXY"],
    ["a negative bulk length other than -1", "$-2\r\n"],
    ["an integer that is not one", ":12a\r\n"],
    ["an integer past 2^53", ":9999999999999999999\r\n"],
  ])("refuses %s", (_name, text) => {
    expect(() => new RespParser().push(bytesOf(text))).toThrow(RespProtocolError);
  });

  it("refuses a reply larger than its limit and arrays nested too deep", () => {
    expect(() => new RespParser({ maxReplyBytes: 16 }).push(bytesOf("$100\r\n"))).toThrow(RespTooLargeError);
    expect(() => new RespParser({ maxReplyBytes: 16 }).push(bytesOf("*9\r\n:11\r\n:22\r\n:33\r\n"))).toThrow(
      RespTooLargeError,
    );
    expect(() => new RespParser({ maxDepth: 2 }).push(bytesOf("*1\r\n*1\r\n*1\r\n:1\r\n"))).toThrow(
      RespProtocolError,
    );
  });
});

describe("RESP2 against a hostile server", () => {
  const integers = (count: number) => bytesOf(`*${count}\r\n${":1\r\n".repeat(count)}`);

  function pushInChunks(parser: RespParser, bytes: Uint8Array, size: number): RespValue[] {
    const replies: RespValue[] = [];
    for (let at = 0; at < bytes.length; at += size)
      replies.push(...parser.push(bytes.subarray(at, at + size)));
    return replies;
  }

  it("parses a reply sent in small chunks in time linear in its bytes", () => {
    // 20 arrays of 10,000 integers, 800 KB in 1 KiB chunks: re-reading the buffer per chunk
    // (as the parser once did) parses about 80 million elements here
    const inner = ":1\r\n".repeat(10_000);
    const bytes = bytesOf(`*20\r\n${`*10000\r\n${inner}`.repeat(20)}`);
    const started = performance.now();
    const replies = pushInChunks(new RespParser(), bytes, 1024);
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(replies).toHaveLength(1);
    const [reply] = replies;
    expect(reply?.type === "array" && reply.items?.length).toBe(20);
  });

  it("refuses an array longer than 65,536 items from its header on", () => {
    expect(() => new RespParser().push(bytesOf("*1000000\r\n"))).toThrow(RespTooLargeError);
    expect(new RespParser().push(integers(65_536))).toHaveLength(1);
  });

  it("refuses a reply past 1 MiB as it arrives, however it is split", () => {
    const parser = new RespParser({ maxArrayLength: 1_000_000 });
    expect(() => pushInChunks(parser, integers(1_000_000), 64 * 1024)).toThrow(RespTooLargeError);
    expect(() => new RespParser().push(bytesOf(`$${1024 * 1024}\r\n`))).toThrow(RespTooLargeError);
    const bulk = encodeValue({ type: "bulk", value: "x".repeat(1024 * 1024 - 16) });
    expect(pushInChunks(new RespParser(), bulk, 1000)).toHaveLength(1);
  });
});
