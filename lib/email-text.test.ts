import { describe, expect, it } from "vitest";
import { emailTextParts, withoutSettingNames } from "./email-text";

describe("emailTextParts", () => {
  it("makes web and email addresses links, leaving the sentence's punctuation outside", () => {
    expect(emailTextParts("Open https://app.example.com/webhooks/1. Ask ops@example.com, please")).toEqual([
      { kind: "text", value: "Open " },
      { kind: "url", value: "https://app.example.com/webhooks/1", href: "https://app.example.com/webhooks/1" },
      { kind: "text", value: ". Ask " },
      { kind: "email", value: "ops@example.com", href: "mailto:ops@example.com" },
      { kind: "text", value: ", please" },
    ]);
  });

  it("keeps a masked one-time link as text", () => {
    const text = "Accept: https://app.example.com/invite/•••••••• (the link is in the recipient's mailbox only)";
    expect(emailTextParts(text)).toEqual([{ kind: "text", value: text }]);
  });

  it("returns plain text whole", () => {
    expect(emailTextParts("No links here.\nSecond line")).toEqual([
      { kind: "text", value: "No links here.\nSecond line" },
    ]);
  });
});

describe("withoutSettingNames", () => {
  it("hides environment variable names and keeps other words", () => {
    expect(withoutSettingNames("RESEND_API_KEY is unset; HTTP 500 from API")).toBe(
      "a server setting is unset; HTTP 500 from API",
    );
  });
});
