import { describe, expect, it } from "vitest";
import { plural } from "./format";

describe("plural", () => {
  it("agrees the noun with the count", () => {
    expect(plural(1, "hour")).toBe("1 hour");
    expect(plural(0, "hour")).toBe("0 hours");
    expect(plural(24, "hour")).toBe("24 hours");
    expect(plural(1, "delivery", "deliveries")).toBe("1 delivery");
    expect(plural(1200, "delivery", "deliveries")).toBe("1,200 deliveries");
  });
});
