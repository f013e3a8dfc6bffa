import { describe, expect, it } from "vitest";
// The rule scripts/web.mjs applies to every request before the app sees it.
import { clientAddressOf } from "@/scripts/client-address.mjs";
import { clientAddress } from "@/lib/client-address";

/**
 * Per-address limits (sign-in, API-key failures) are only as good as the address. Next.js keeps an
 * X-Forwarded-For the client sent, so a caller could have named a new address on every request; the
 * web server (scripts/web.mjs) decides the address from the socket and the trusted proxies instead.
 */
describe("the client's address", () => {
  it("is the socket's peer when no proxy is trusted, whatever X-Forwarded-For says", () => {
    expect(clientAddressOf("1.2.3.4", "198.51.100.7", 0)).toBe("198.51.100.7");
    expect(clientAddressOf(undefined, "198.51.100.7", 0)).toBe("198.51.100.7");
  });

  it("is what the outermost trusted proxy saw; entries further left are the client's own words", () => {
    // client → proxy A (appends the client) → proxy B (appends A) → us (peer = B)
    expect(clientAddressOf("6.6.6.6, 203.0.113.5, 10.0.0.2", "10.0.0.3", 2)).toBe("203.0.113.5");
    expect(clientAddressOf("203.0.113.5", "10.0.0.3", 1)).toBe("203.0.113.5");
    // Fewer entries than proxies: the leftmost there is.
    expect(clientAddressOf(undefined, "10.0.0.3", 3)).toBe("10.0.0.3");
  });

  it("the app reads the server's verdict, not the client's X-Forwarded-For", () => {
    expect(clientAddress(new Headers({ "x-hookrelay-client": "198.51.100.7", "x-forwarded-for": "1.2.3.4" }))).toBe(
      "198.51.100.7",
    );
    expect(clientAddress(new Headers({ "x-forwarded-for": "1.2.3.4, 198.51.100.8" }))).toBe("198.51.100.8");
    expect(clientAddress(new Headers())).toBe("unknown");
  });
});
