import { describe, expect, it } from "vitest";
import { checkLiteralHost, isPublicAddress, parseHostAsIp } from "./ssrf";

describe("isPublicAddress", () => {
  it.each([
    "8.8.8.8",
    "1.1.1.1",
    "93.184.216.34",
    "2606:4700:4700::1111",
    "2001:4860:4860::8888",
    "::ffff:8.8.8.8", // IPv4-mapped: judged by the public IPv4 inside
    "2002:0808:0808::1", // 6to4 of 8.8.8.8
  ])("allows public %s", (ip) => {
    expect(isPublicAddress(ip)).toBe(true);
  });

  it.each([
    ["loopback", "127.0.0.1"],
    ["loopback /8", "127.255.255.254"],
    ["private 10/8", "10.0.0.1"],
    ["private 172.16/12", "172.16.5.4"],
    ["private 172.31", "172.31.255.255"],
    ["private 192.168/16", "192.168.1.1"],
    ["link-local", "169.254.1.1"],
    ["metadata", "169.254.169.254"],
    ["CGNAT", "100.64.0.1"],
    ["CGNAT top", "100.127.255.254"],
    ["unspecified", "0.0.0.0"],
    ["this network", "0.1.2.3"],
    ["broadcast", "255.255.255.255"],
    ["multicast", "224.0.0.1"],
    ["reserved 240/4", "240.0.0.1"],
    ["IETF protocol 192.0.0/24", "192.0.0.8"],
    ["documentation TEST-NET-1", "192.0.2.10"],
    ["documentation TEST-NET-2", "198.51.100.7"],
    ["documentation TEST-NET-3", "203.0.113.9"],
    ["benchmarking", "198.18.0.1"],
    ["6to4 relay anycast", "192.88.99.1"],
    ["IPv6 loopback", "::1"],
    ["IPv6 unspecified", "::"],
    ["IPv4-mapped loopback", "::ffff:127.0.0.1"],
    ["IPv4-mapped loopback (hex)", "::ffff:7f00:1"],
    ["IPv4-mapped metadata", "::ffff:a9fe:a9fe"],
    ["IPv4-mapped private", "::ffff:10.0.0.1"],
    ["IPv4-compatible (deprecated) loopback", "::127.0.0.1"],
    ["NAT64 of a private address", "64:ff9b::a00:1"],
    ["NAT64 of a public address (refused anyway)", "64:ff9b::808:808"],
    ["local-use NAT64", "64:ff9b:1::808:808"],
    ["6to4 of loopback", "2002:7f00:1::1"],
    ["6to4 of private", "2002:c0a8:0101::1"],
    ["Teredo", "2001:0:4136:e378:8000:63bf:3fff:fdd2"],
    ["unique-local fc00::/7", "fd12:3456:789a::1"],
    ["unique-local fc", "fc00::1"],
    ["link-local v6", "fe80::1"],
    ["link-local v6 with zone", "fe80::1%eth0"],
    ["site-local (deprecated)", "fec0::1"],
    ["multicast v6", "ff02::1"],
    ["documentation v6", "2001:db8::1"],
    ["benchmarking v6", "2001:2::1"],
    ["discard v6", "100::1"],
    ["ORCHIDv2", "2001:20::1"],
    ["not an address", "localhost"],
    ["garbage", "999.1.1.1"],
    ["empty", ""],
  ])("refuses %s (%s)", (_label, ip) => {
    expect(isPublicAddress(ip)).toBe(false);
  });
});

describe("parseHostAsIp + WHATWG URL normalisation", () => {
  const ssrfHosts = [
    "127.0.0.1",
    "127.1",
    "2130706433",
    "0x7f000001",
    "0177.0.0.1",
    "0x7f.1",
    "[::1]",
    "[0:0:0:0:0:ffff:127.0.0.1]",
    "[::ffff:a9fe:a9fe]",
    "169.254.169.254",
    "10.0.0.1",
    "192.168.1.1",
    "100.64.0.1",
    "0",
  ];

  it.each(ssrfHosts)("URL host %s normalises to an address that is refused", (host) => {
    const url = new URL(`http://${host}:8080/hook`);
    const ip = parseHostAsIp(url.hostname);
    expect(ip).not.toBeNull();
    expect(isPublicAddress(ip!)).toBe(false);
    expect(checkLiteralHost(url.hostname)).toMatch(/not a public address/);
  });

  it("reads numeric forms the way URL does", () => {
    expect(parseHostAsIp("127.1")).toBe("127.0.0.1");
    expect(parseHostAsIp("2130706433")).toBe("127.0.0.1");
    expect(parseHostAsIp("0x7f000001")).toBe("127.0.0.1");
    expect(parseHostAsIp("0177.0.0.1")).toBe("127.0.0.1");
    expect(parseHostAsIp("[0:0:0:0:0:ffff:127.0.0.1]")).toBe("::ffff:7f00:1");
    expect(parseHostAsIp("::1")).toBe("::1");
    expect(new URL("http://0x7f000001/").hostname).toBe("127.0.0.1");
  });

  it("returns null for host names, which are checked after DNS", () => {
    expect(parseHostAsIp("example.com")).toBeNull();
    expect(parseHostAsIp("localhost")).toBeNull();
    expect(checkLiteralHost("example.com")).toBeNull();
  });

  it("lets a public literal through", () => {
    expect(checkLiteralHost("8.8.8.8")).toBeNull();
    expect(checkLiteralHost("[2606:4700:4700::1111]")).toBeNull();
  });
});
