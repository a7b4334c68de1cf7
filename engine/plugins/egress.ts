/**
 * @module
 * The egress rule for every request a plugin makes: `http:`/`https:` only (sockets: any port,
 * same host rule), and no loopback, private, link-local, carrier-grade-NAT, unique-local,
 * multicast or unspecified address, whether written as an IP literal (every host, a socket's
 * too, is first normalised as an `http:` URL's host: `2130706433` is `127.0.0.1`; `normaliseHost`)
 * or as `localhost`. The deployment may
 * allow private targets (`EDGEFLOW_ALLOW_PRIVATE_EGRESS=1`, for local development and tests).
 * Names are not resolved here (Workers have no DNS API): the rule covers address literals and
 * `localhost` only. A deployed Worker cannot reach private networks through a name anyway; a
 * self-hosted workerd can (`/etc/hosts`, internal DNS), which must not be given untrusted tenants
 * without a network-level egress filter. Trailing dots are ignored (`localhost..`). Pure.
 */

export type EgressVerdict = { allowed: true } | { allowed: false; reason: string };

export interface EgressOptions {
  allowPrivate: boolean;
}

/** Checks a URL a plugin wants to fetch. */
export function checkUrlEgress(url: string, options: EgressOptions): EgressVerdict {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { allowed: false, reason: "not a valid URL" };
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    return { allowed: false, reason: `scheme ${parsed.protocol} is not allowed (http and https only)` };
  }
  return checkHostEgress(parsed.hostname, options);
}

/**
 * A host as an `http:` URL holds it (WHATWG host parsing: `2130706433`, `127.1`, `0x7f.0.0.1`,
 * `0177.0.0.1` and `%31%32%37.0.0.1` all become `127.0.0.1`, IPv6 is compressed, names are
 * lower-cased and punycoded), without brackets; `undefined` when it is not a host alone (a
 * port, path, user or anything else the parse would take apart). A socket's host goes through
 * this before the check and the connection uses the result, so what is checked is what is
 * reached: a `redis:` URL is not special, its host stays as written and the resolver would
 * read the numeric forms.
 */
export function normaliseHost(hostname: string): string | undefined {
  const bare = hostname.replace(/^\[(.*)\]$/, "$1");
  if (bare === "" || /[\s/\\?#@[\]]/.test(bare)) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(`http://${bare.includes(":") ? `[${bare}]` : bare}/`);
  } catch {
    return undefined;
  }
  if (parsed.port !== "" || parsed.username !== "" || parsed.password !== "" || parsed.pathname !== "/")
    return undefined;
  return parsed.hostname.replace(/^\[(.*)\]$/, "$1");
}

/** Checks a host name or IP literal (a URL's `hostname`, or a socket's address), normalised first. */
export function checkHostEgress(hostname: string, options: EgressOptions): EgressVerdict {
  const normalised = normaliseHost(hostname);
  if (normalised === undefined) return { allowed: false, reason: "not a valid host" };
  if (options.allowPrivate) return { allowed: true };
  const host = normalised.replace(/\.+$/, "");
  if (host === "") return { allowed: false, reason: "no host" };
  if (host === "localhost" || host.endsWith(".localhost")) return refused(hostname);
  const v4 = parseIpv4(host);
  if (v4 !== undefined) return isPublicIpv4(v4) ? { allowed: true } : refused(hostname);
  if (host.includes(":")) return isPublicIpv6(host) ? { allowed: true } : refused(hostname);
  return { allowed: true };
}

function refused(hostname: string): EgressVerdict {
  return {
    allowed: false,
    reason: `${hostname} is a loopback or private address (EDGEFLOW_ALLOW_PRIVATE_EGRESS=1 allows it)`,
  };
}

function parseIpv4(host: string): number[] | undefined {
  const parts = host.split(".");
  if (parts.length !== 4 || !parts.every((part) => /^\d{1,3}$/.test(part))) return undefined;
  const octets = parts.map(Number);
  return octets.every((octet) => octet <= 255) ? octets : undefined;
}

function isPublicIpv4([a, b]: number[]): boolean {
  if (a === undefined || b === undefined) return false;
  if (a === 0 || a === 10 || a === 127 || a >= 224) return false;
  if (a === 169 && b === 254) return false;
  if (a === 172 && b >= 16 && b <= 31) return false;
  if (a === 192 && b === 168) return false;
  if (a === 100 && b >= 64 && b <= 127) return false;
  if (a === 192 && b === 0) return false;
  if (a === 198 && (b === 18 || b === 19)) return false;
  return true;
}

/** The eight 16-bit groups of an IPv6 literal (with `::` expanded and a dotted IPv4 tail). */
function ipv6Groups(host: string): number[] | undefined {
  let text = host.split("%")[0] ?? "";
  const tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (tail?.[1] !== undefined) {
    const v4 = parseIpv4(tail[1]);
    if (v4 === undefined) return undefined;
    text = `${text.slice(0, -tail[1].length)}${((v4[0]! << 8) | v4[1]!).toString(16)}:${((v4[2]! << 8) | v4[3]!).toString(16)}`;
  }
  const halves = text.split("::");
  if (halves.length > 2) return undefined;
  const parse = (part: string | undefined) =>
    part ? part.split(":").map((group) => Number.parseInt(group, 16)) : [];
  const head = parse(halves[0]);
  const rest = parse(halves[1]);
  const missing = 8 - head.length - rest.length;
  if (halves.length === 1 ? missing !== 0 : missing < 0) return undefined;
  const groups = [...head, ...new Array<number>(missing).fill(0), ...rest];
  return groups.every((group) => Number.isInteger(group) && group >= 0 && group <= 0xffff)
    ? groups
    : undefined;
}

function isPublicIpv6(host: string): boolean {
  const groups = ipv6Groups(host);
  if (groups === undefined) return false;
  const first = groups[0]!;
  if (groups.every((group) => group === 0)) return false; // ::
  if (groups.slice(0, 7).every((group) => group === 0) && groups[7] === 1) return false; // ::1
  const v4 = [groups[6]! >> 8, groups[6]! & 0xff, groups[7]! >> 8, groups[7]! & 0xff];
  // IPv4-mapped (::ffff:a.b.c.d) and IPv4-compatible: judge the IPv4 address
  if (groups.slice(0, 5).every((group) => group === 0) && (groups[5] === 0xffff || groups[5] === 0)) {
    return isPublicIpv4(v4);
  }
  // IPv4-translated (::ffff:0:a.b.c.d, RFC 2765): judge the IPv4 address
  if (groups.slice(0, 4).every((group) => group === 0) && groups[4] === 0xffff && groups[5] === 0) {
    return isPublicIpv4(v4);
  }
  if (first === 0x2002) return false; // 6to4 2002::/16 carries any IPv4 address
  if (first === 0x2001 && groups[1] === 0) return false; // Teredo 2001::/32 tunnels to IPv4 too
  if ((first & 0xffc0) === 0xfec0) return false; // fec0::/10 site-local (deprecated, still private)
  if ((first & 0xfe00) === 0xfc00) return false; // fc00::/7 unique local
  if ((first & 0xffc0) === 0xfe80) return false; // fe80::/10 link-local
  if ((first & 0xff00) === 0xff00) return false; // multicast
  if (first === 0x64 && groups[1] === 0xff9b) return false; // NAT64 may reach private IPv4
  return true;
}
