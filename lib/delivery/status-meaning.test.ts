import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { statusMeaning, statusMeaningParts } from "./status-meaning";

describe("statusMeaning", () => {
  it("uses Freshsales' wording for every code of its table", () => {
    const dir = path.resolve(import.meta.dirname, "../../../shared/seeds");
    const seed = readdirSync(dir).find((f) => f.startsWith("000_"));
    const text = seed ? readFileSync(path.join(dir, seed), "utf8") : "";
    for (const code of [301, 302, 400, 401, 403, 404, 405, 409, 422, 429, 500, 502]) {
      const m = statusMeaningParts(code);
      if (text) expect(text).toContain(m.meaning);
      expect(m.meaning.length).toBeGreaterThan(10);
    }
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
