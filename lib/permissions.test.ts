import { describe, expect, it } from "vitest";
import { ALL_PERMISSIONS, DEFAULT_ROLES, includedBy, roleHasPermission } from "./permissions";

describe("roleHasPermission", () => {
  it("gives the Owner role every permission, whatever its list says", () => {
    for (const p of ALL_PERMISSIONS) expect(roleHasPermission({ isOwner: true, permissions: [] }, p)).toBe(true);
  });

  it("grants only what a role holds", () => {
    const role = { isOwner: false, permissions: ["apiKeys.manage"] };
    expect(roleHasPermission(role, "apiKeys.manage")).toBe(true);
    expect(roleHasPermission(role, "webhooks.manage")).toBe(false);
    expect(roleHasPermission({ isOwner: false, permissions: [] }, "webhooks.view")).toBe(false);
  });

  it("lets Manage Webhooks imply View Webhooks, not the reverse", () => {
    expect(roleHasPermission({ isOwner: false, permissions: ["webhooks.manage"] }, "webhooks.view")).toBe(true);
    expect(roleHasPermission({ isOwner: false, permissions: ["webhooks.view"] }, "webhooks.manage")).toBe(false);
  });

  it("ignores unknown permission strings", () => {
    expect(roleHasPermission({ isOwner: false, permissions: ["webhooks.*", "admin"] }, "webhooks.manage")).toBe(false);
  });

  it("starts companies with a Member role that cannot touch webhooks", () => {
    const member = DEFAULT_ROLES.find((r) => r.name === "Member")!;
    expect(roleHasPermission(member, "webhooks.view")).toBe(false);
  });
});

describe("includedBy", () => {
  it("names the held permission that includes another (the matrix locks that box)", () => {
    expect(includedBy(["webhooks.manage"], "webhooks.view")).toBe("webhooks.manage");
    expect(includedBy(["webhooks.view", "webhooks.manage"], "webhooks.view")).toBe("webhooks.manage");
    expect(includedBy(["webhooks.view"], "webhooks.view")).toBeNull();
    expect(includedBy(["webhooks.manage"], "roles.manage")).toBeNull();
  });
});
