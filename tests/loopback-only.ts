import net from "node:net";

/**
 * Test safety net: records every TCP connection the process opens and refuses any to a
 * non-loopback IP, so SSRF tests can never send traffic off the machine even if the guard under
 * test broke. Call `restore()` when done.
 */
export function installLoopbackOnlyNet() {
  const connectCalls: string[] = [];
  const realConnect = net.connect;
  (net as { connect: unknown }).connect = function (this: unknown, ...args: unknown[]) {
    const opts = args[0];
    const host =
      typeof opts === "object" && opts !== null && "host" in opts
        ? String((opts as { host: unknown }).host)
        : String(args[1] ?? "");
    connectCalls.push(host);
    const bare = host.replace(/^\[|\]$/g, "");
    if (net.isIP(bare) !== 0 && bare !== "127.0.0.1" && bare !== "::1")
      throw new Error(`test safety net: refused to connect to ${host}`);
    return (realConnect as (...a: unknown[]) => net.Socket).apply(this, args);
  };
  return {
    connectCalls,
    restore() {
      (net as { connect: unknown }).connect = realConnect;
    },
  };
}
