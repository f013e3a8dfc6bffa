import ipaddr from "ipaddr.js";
import { isAllowedPrivateAddress, type PrivateTargets } from "./private-targets";

/**
 * The outbound SSRF guard (DESIGN.md "Delivery" 6): only addresses on the public internet may be
 * called. It is applied to literal IP hosts before connecting and to every address DNS returns,
 * at connect time (see http-client.ts), so a name that resolves to 127.0.0.1 is refused too.
 *
 * Allow-list thinking: IPv4 must be plain unicast (not any special range ipaddr.js knows);
 * IPv6 must be global unicast 2000::/3 and not a special range, except that IPv4-mapped and
 * 6to4 addresses are judged by the IPv4 address they carry. NAT64 is refused outright: the
 * translator may sit inside the network.
 */
export function isPublicAddress(ip: string): boolean {
  // Fails closed: anything that cannot be judged (and any error while judging) is not public. The
  // guard runs inside DNS callbacks, where a throw would be an uncaught exception.
  try {
    // Strip an IPv6 zone (fe80::1%eth0) and brackets; ipaddr.parse accepts only real IP syntax.
    const bare = ip.trim().replace(/^\[|\]$/g, "");
    if (!ipaddr.isValid(bare)) return false;
    const addr = ipaddr.parse(bare);
    return addr.kind() === "ipv4" ? isPublicV4(addr as ipaddr.IPv4) : isPublicV6(addr as ipaddr.IPv6);
  } catch {
    return false;
  }
}

/** The IPv4 address in the last 32 bits of an IPv6 address (mapped ::ffff:a.b.c.d, translated ::ffff:0:a.b.c.d). */
function lastV4(addr: ipaddr.IPv6): ipaddr.IPv4 {
  const p = addr.parts;
  return new ipaddr.IPv4([p[6] >> 8, p[6] & 0xff, p[7] >> 8, p[7] & 0xff]);
}

function isPublicV4(addr: ipaddr.IPv4): boolean {
  // unspecified, broadcast, multicast, linkLocal (incl. 169.254.169.254), loopback, carrierGradeNat,
  // private, reserved (documentation, benchmarking 198.18/15, 240/4, 192.0.0/24 …), as112, amt.
  return addr.range() === "unicast";
}

const GLOBAL_UNICAST_V6 = ipaddr.parseCIDR("2000::/3");

function isPublicV6(addr: ipaddr.IPv6): boolean {
  if (addr.zoneId) return false;
  const range = addr.range();
  if (range === "ipv4Mapped" || range === "rfc6145") {
    // ::ffff:a.b.c.d (and the SIIT form ::ffff:0:a.b.c.d) reaches a.b.c.d: judge the embedded
    // address. (ipaddr's toIPv4Address() throws for the SIIT form.)
    return isPublicV4(lastV4(addr));
  }
  if (range === "6to4") {
    // 2002:AABB:CCDD::/48 carries the IPv4 address AA.BB.CC.DD.
    const p = addr.parts;
    const v4 = new ipaddr.IPv4([p[1] >> 8, p[1] & 0xff, p[2] >> 8, p[2] & 0xff]);
    return isPublicV4(v4);
  }
  // rfc6052 (NAT64 64:ff9b::/96 and 64:ff9b:1::/48), teredo, uniqueLocal fc00::/7, linkLocal,
  // loopback, unspecified, multicast, benchmarking, documentation (reserved), orchid, discard …
  if (range !== "unicast") return false;
  return addr.match(GLOBAL_UNICAST_V6);
}

/**
 * The IP address a URL host stands for, normalised the way WHATWG URL (and so fetch/undici)
 * reads it: `127.1`, `2130706433`, `0x7f000001` and `0177.0.0.1` are all 127.0.0.1;
 * `[::ffff:7f00:1]` is IPv6. Returns null for a host name (resolved later by DNS) or an invalid host.
 */
export function parseHostAsIp(host: string): string | null {
  let h = host.trim();
  if (h === "") return null;
  // A bare IPv6 literal (no brackets) as it might come from elsewhere.
  if (!h.startsWith("[") && h.includes(":")) h = `[${h}]`;
  let hostname: string;
  try {
    hostname = new URL(`http://${h}/`).hostname;
  } catch {
    return null;
  }
  if (hostname.startsWith("[") && hostname.endsWith("]")) {
    const inner = hostname.slice(1, -1);
    return ipaddr.IPv6.isValid(inner) ? ipaddr.IPv6.parse(inner).toString() : null;
  }
  // After WHATWG normalisation every IPv4 form is four decimal parts.
  if (ipaddr.IPv4.isValidFourPartDecimal(hostname)) return ipaddr.IPv4.parse(hostname).toString();
  return null;
}

/** Why a URL target is refused, or null when it may be called. Hosts that are names pass here and are checked after
 * DNS. A literal address in one of the operator's private networks (HOOKRELAY_PRIVATE_TARGETS) may be called. */
export function checkLiteralHost(hostname: string, privateTargets?: PrivateTargets | null): string | null {
  const ip = parseHostAsIp(hostname);
  if (ip === null) return null;
  return isPublicAddress(ip) || isAllowedPrivateAddress(ip, privateTargets) ? null : `${ip} is not a public address`;
}
