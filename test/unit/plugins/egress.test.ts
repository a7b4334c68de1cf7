/** The egress rule: http(s) only, no loopback/private/link-local/ULA targets unless allowed. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { checkHostEgress, checkUrlEgress, normaliseHost } from "../../../engine/plugins/egress.ts";

const strict = { allowPrivate: false };

describe("checkUrlEgress", () => {
  it.each([
    "http://127.0.0.1/",
    "http://127.1.2.3:8080/x",
    "http://2130706433/",
    "http://0x7f000001/",
    "http://localhost/",
    "http://api.localhost/",
    "http://10.0.0.1/",
    "http://172.16.5.4/",
    "http://172.31.255.255/",
    "http://192.168.1.1/",
    "http://169.254.169.254/latest/meta-data",
    "http://100.64.0.1/",
    "http://0.0.0.0/",
    "http://[::1]/",
    "http://[::]/",
    "http://[fd00::1]/",
    "http://[fc12::1]/",
    "http://[fe80::1]/",
    "http://[::ffff:127.0.0.1]/",
    "http://[::ffff:10.1.2.3]/",
    "http://[64:ff9b::a00:1]/",
    "http://localhost../",
    "http://localhost.../",
    "http://api.localhost../",
    "http://[::ffff:0:7f00:1]/",
    "http://[::ffff:0:a00:1]/",
    "http://[2002:7f00:1::]/",
    "http://[2002:5db8:d822::1]/",
    "http://[2001:0:4136:e378::1]/",
    "http://[fec0::1]/",
    "http://[feff::1]/",
  ])("refuses %s", (url) => {
    expect(checkUrlEgress(url, strict)).toMatchObject({ allowed: false });
  });

  it.each([
    "https://example.com/",
    "http://93.184.216.34/",
    "https://[2606:4700::1111]/",
    "http://172.32.0.1/",
    "http://[2001:4860:4860::8888]/",
    "http://[::ffff:0:5db8:d822]/",
    "http://example.com./",
  ])("allows %s", (url) => {
    expect(checkUrlEgress(url, strict)).toEqual({ allowed: true });
  });

  it.each(["ftp://example.com/", "file:///etc/passwd", "gopher://example.com/", "not a url"])(
    "refuses scheme or shape of %s",
    (url) => {
      expect(checkUrlEgress(url, strict)).toMatchObject({ allowed: false });
    },
  );

  it("allows private targets only when the deployment says so", () => {
    expect(checkUrlEgress("http://127.0.0.1:9999/", { allowPrivate: true })).toEqual({ allowed: true });
    expect(checkUrlEgress("ftp://127.0.0.1/", { allowPrivate: true })).toMatchObject({ allowed: false });
  });

  it("refuses every 10.x, 127.x and 192.168.x address however written", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(10, 127, 192),
        fc.integer({ min: 0, max: 255 }),
        fc.integer({ min: 0, max: 255 }),
        fc.integer({ min: 0, max: 255 }),
        (a, b, c, d) => {
          const second = a === 192 ? 168 : b;
          const asNumber = ((a << 24) >>> 0) + (second << 16) + (c << 8) + d;
          expect(checkUrlEgress(`http://${a}.${second}.${c}.${d}/`, strict).allowed).toBe(false);
          expect(checkUrlEgress(`http://${asNumber}/`, strict).allowed).toBe(false);
          expect(checkHostEgress(`::ffff:${a}.${second}.${c}.${d}`, strict).allowed).toBe(false);
        },
      ),
    );
  });
});

describe("checkHostEgress on a socket's host (a redis: URL keeps it as written)", () => {
  it.each([
    ["127.0.0.1", "127.0.0.1"],
    ["2130706433", "127.0.0.1"],
    ["127.1", "127.0.0.1"],
    ["0x7f.0.0.1", "127.0.0.1"],
    ["0x7f000001", "127.0.0.1"],
    ["0177.0.0.1", "127.0.0.1"],
    ["%31%32%37.0.0.1", "127.0.0.1"],
    ["127.0.0.1.", "127.0.0.1"],
    ["0", "0.0.0.0"],
    ["2852039166", "169.254.169.254"],
    ["167772161", "10.0.0.1"],
    ["LOCALHOST", "localhost"],
    ["[::1]", "::1"],
    ["::ffff:127.0.0.1", "::ffff:7f00:1"],
  ])("refuses %s (the host it normalises to is %s)", (host, normalised) => {
    expect(normaliseHost(host)).toBe(normalised);
    expect(checkHostEgress(host, strict)).toMatchObject({ allowed: false });
  });

  it.each(["a b", "1.2.3.4.5", "fe80::1%25eth0", "host:6379", "user@host", "host/path", "", "[]"])(
    "refuses %j, which is not a host alone, even where private targets are allowed",
    (host) => {
      expect(normaliseHost(host)).toBeUndefined();
      expect(checkHostEgress(host, { allowPrivate: true })).toMatchObject({ allowed: false });
    },
  );

  it.each([
    ["93.184.216.34", "93.184.216.34"],
    ["1572395042", "93.184.216.34"],
    ["Redis.Example.COM", "redis.example.com"],
    ["2606:4700::1111", "2606:4700::1111"],
  ])("allows %s (normalised to %s)", (host, normalised) => {
    expect(normaliseHost(host)).toBe(normalised);
    expect(checkHostEgress(host, strict)).toEqual({ allowed: true });
  });
});
