/**
 * @module
 * A response body as a result: parsed JSON when the content type says JSON (and it parses), the
 * text otherwise, null when empty. The runtime's `fetch` has already capped the size.
 */

export async function readResponseBody(response: Response): Promise<unknown> {
  const text = await response.text();
  if (text === "") return null;
  const type = response.headers.get("content-type") ?? "";
  if (!/^application\/([\w.+-]+\+)?json\b/i.test(type.trim())) return text;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** Response headers as a plain object (names lower-case, repeated values joined by ", "). */
export function headersObject(headers: Headers): Record<string, string> {
  return Object.fromEntries(headers.entries());
}
