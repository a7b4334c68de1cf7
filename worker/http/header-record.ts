/**
 * @module
 * A request's headers as a plain record with lowercased names (repeated headers joined by ", ",
 * as `Headers.get` does), the shape that crosses Durable Object RPC. At most 100 headers.
 */

const MAX_HEADERS = 100;

export function headerRecord(headers: Headers): Record<string, string> {
  const record: Record<string, string> = {};
  let count = 0;
  for (const [name, value] of headers) {
    if (++count > MAX_HEADERS) break;
    record[name.toLowerCase()] = value;
  }
  return record;
}
