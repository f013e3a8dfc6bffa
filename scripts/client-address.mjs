/**
 * The caller's address as the web server (scripts/web.mjs) decides it: the socket's peer, or — when
 * `proxies` reverse proxies stand in front — the address the outermost of them saw, i.e. the
 * `proxies`-th entry of X-Forwarded-For counted from the right (each proxy appends its peer).
 * Entries further left were written by the client and are never trusted.
 * @param {string | undefined} forwardedFor
 * @param {string | undefined} peer
 * @param {number} proxies
 * @returns {string}
 */
export function clientAddressOf(forwardedFor, peer, proxies) {
  const chain = [
    ...(typeof forwardedFor === "string"
      ? forwardedFor
          .split(",")
          .map((s) => s.trim())
          .filter(Boolean)
      : []),
    peer ?? "unknown",
  ];
  return chain[Math.max(0, chain.length - 1 - proxies)];
}
