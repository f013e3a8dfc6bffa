import { describe, expect, it } from "vitest";
import { statusMeaning, statusMeaningParts } from "./status-meaning";

describe("statusMeaning", () => {
  it("uses Freshsales' wording for every code of its table", () => {
    // The seed's error-code table, sentence by sentence (written here: the repo reads nothing outside itself).
    const freshsales: Record<number, string> = {
      301: "The requested resource has permanently moved to a different URL.",
      302: "The requested resource has temporarily moved to a different URL.",
      400: "The request you sent is invalid (syntax could have invalid parameters or size might be too large).",
      401: "You don't have permission to access the resource. Authentication has failed/not been provided.",
      403: "Your request is correct, but you're not authorized to perform the requested operation.",
      404: "The requested resource is not available at the moment.",
      405: "Your request method is not supported for the requested resource.",
      409: "Your request can't be processed because there's a conflict with another request at the server's end.",
      422: "Your request is correctly framed, but the server can't process the contained instructions.",
      429: "You've sent quite a lot of requests recently.",
      500: "The server encountered an internal error or misconfiguration.",
      502: "The server is a gateway/proxy and has received an invalid response from the upstream server.",
    };
    for (const [code, meaning] of Object.entries(freshsales))
      expect(statusMeaningParts(Number(code)).meaning).toBe(meaning);
  });

  it("covers 2xx, 408, 410, 503, 504 and unknown codes by class", () => {
    expect(statusMeaning(200)).toBe("200 OK: The receiver accepted the request.");
    expect(statusMeaningParts(299).label).toBe("Success");
    for (const code of [408, 410, 503, 504]) expect(statusMeaningParts(code).label).not.toMatch(/error$/);
    expect(statusMeaningParts(307).label).toBe("Redirect");
    expect(statusMeaningParts(418).label).toBe("Client error");
    expect(statusMeaningParts(599).label).toBe("Server error");
  });

  it("describes network errors when there is no status", () => {
    expect(statusMeaning(null, "timeout")).toMatch(/^Timed out: /);
    expect(statusMeaning(null, "blocked_address")).toMatch(/private or internal address/);
    expect(statusMeaning(null, "dns")).toMatch(/could not be found/);
    expect(statusMeaning(null, "connection_refused")).toMatch(/^Connection refused/);
    expect(statusMeaning(null)).toMatch(/^Request failed/);
  });
});
