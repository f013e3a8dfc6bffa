import { describe, expect, it } from "vitest";
import { formatSeconds, parseDelayList } from "./duration";

describe("durations", () => {
  it("formats seconds briefly", () => {
    expect(formatSeconds(30)).toBe("30s");
    expect(formatSeconds(7200)).toBe("2h");
    expect(formatSeconds(90)).toBe("1m 30s");
    expect(formatSeconds(129_600)).toBe("1d 12h");
    expect(formatSeconds(0)).toBe("0s");
  });

  it("reads a typed list of delays, with units", () => {
    expect(parseDelayList("30s, 5m 2h,1d, 45")).toEqual({ ok: true, seconds: [30, 300, 7200, 86_400, 45] });
    expect(parseDelayList("")).toEqual({ ok: true, seconds: [] });
  });

  it("names the item it cannot read", () => {
    expect(parseDelayList("30s, soon, 2h")).toEqual({ ok: false, bad: "soon" });
    expect(parseDelayList("-5")).toEqual({ ok: false, bad: "-5" });
  });
});
