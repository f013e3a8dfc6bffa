import ipaddr from "ipaddr.js";

/**
 * The operator's private targets (HOOKRELAY_PRIVATE_TARGETS): hosts and networks a webhook may call although
 * they are not on the public internet — a business app calling its own API on the private network. Everything
 * else stays behind the SSRF guard (ssrf.ts, checked at connect time in http-client.ts):
 *
 * - a host name (`erp.internal.example`) or a wildcard (`*.internal.example`: any name below it, not the name
 *   itself) allows whatever that name resolves to when it is called — and nothing else: another name resolving
 *   to the same private address is still refused;
 * - a CIDR (`10.20.0.0/16`, `fd00:1::/64`) or a single address (`10.20.0.5`) allows the addresses within it,
 *   whichever name led there (the address checked is the one connected to).
 */
export interface PrivateTargets {
  /** The list as given, normalised (also the key of its connection pool). */
  source: string;
  hosts: Set<string>;
  /** Wildcards as their suffix with the leading dot: `.internal.example`. */
  suffixes: string[];
  networks: [ipaddr.IPv4 | ipaddr.IPv6, number][];
}

const LABEL = "[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?";
const HOST_NAME = new RegExp(`^(?:${LABEL}\\.)*${LABEL}$`);

/** The name as compared: lower case, without a trailing dot or IPv6 brackets. */
function normaliseHost(host: string): string {
  return host
    .trim()
    .toLowerCase()
    .replace(/\.$/, "")
    .replace(/^\[|\]$/g, "");
}

/** One address as matched against networks: an IPv4-mapped IPv6 address is its IPv4 address. */
function parseAddress(ip: string): ipaddr.IPv4 | ipaddr.IPv6 | null {
  const bare = normaliseHost(ip);
  if (!ipaddr.isValid(bare)) return null;
  const addr = ipaddr.parse(bare);
  if (addr.kind() === "ipv6" && (addr as ipaddr.IPv6).isIPv4MappedAddress())
    return (addr as ipaddr.IPv6).toIPv4Address();
  return addr;
}

/** Parses the comma-separated list; throws an Error naming the first entry it cannot read. */
export function parsePrivateTargets(text: string): PrivateTargets {
  const entries = text
    .split(",")
    .map((e) => e.trim())
    .filter(Boolean);
  const list: PrivateTargets = { source: "", hosts: new Set(), suffixes: [], networks: [] };
  for (const entry of entries) {
    const e = entry.toLowerCase();
    if (e.includes("://"))
      throw new Error(`has "${entry}", a URL: give the host name alone (erp.internal.example) or a CIDR`);
    if (e.includes("/")) {
      if (!ipaddr.isValidCIDR(e)) throw new Error(`has "${entry}", which is not a valid CIDR (10.0.0.0/8, fd00::/8)`);
      const [addr, bits] = ipaddr.parseCIDR(e);
      list.networks.push([addr, bits]);
    } else if (e.includes(":") ? ipaddr.IPv6.isValid(normaliseHost(e)) : ipaddr.IPv4.isValidFourPartDecimal(e)) {
      const addr = parseAddress(e)!;
      list.networks.push([addr, addr.kind() === "ipv4" ? 32 : 128]);
    } else if (e.startsWith("*.")) {
      const suffix = normaliseHost(e.slice(2));
      if (!HOST_NAME.test(suffix) || !suffix.includes("."))
        throw new Error(
          `has "${entry}": a wildcard must be *. followed by a name of at least two labels (*.internal.example)`,
        );
      list.suffixes.push(`.${suffix}`);
    } else {
      const host = normaliseHost(e);
      // A name ending in a number is an IPv4 address in some spelling (127.1): refused, as the URL parser reads it.
      if (!HOST_NAME.test(host) || /(^|\.)(\d+|0x[0-9a-f]*)$/.test(host))
        throw new Error(`has "${entry}", which is neither a host name, a *.wildcard, an IP address nor a CIDR`);
      list.hosts.add(host);
    }
  }
  list.source = [
    ...[...list.hosts].sort(),
    ...list.suffixes.map((s) => `*${s}`).sort(),
    ...list.networks.map(([a, b]) => `${a.toString()}/${b}`).sort(),
  ].join(",");
  return list;
}

/** Whether `hostname` (as in the URL) is one of the allowed names or below an allowed wildcard. */
export function isAllowedPrivateHost(hostname: string, list: PrivateTargets | null | undefined): boolean {
  if (!list) return false;
  const host = normaliseHost(hostname);
  return list.hosts.has(host) || list.suffixes.some((s) => host.endsWith(s) && host.length > s.length);
}

/** Whether `ip` lies in one of the allowed networks. */
export function isAllowedPrivateAddress(ip: string, list: PrivateTargets | null | undefined): boolean {
  if (!list || list.networks.length === 0) return false;
  try {
    const addr = parseAddress(ip);
    if (!addr) return false;
    return list.networks.some(([net, bits]) => net.kind() === addr.kind() && addr.match([net, bits] as never));
  } catch {
    return false;
  }
}
