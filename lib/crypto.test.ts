import { describe, expect, it } from "vitest";
import {
  decryptSecret,
  encryptSecret,
  generateSecretKey,
  hashToken,
  maskSecret,
  parseSecretKey,
  SecretDecryptError,
} from "./crypto";

const key = parseSecretKey(generateSecretKey());

describe("secrets at rest (AES-256-GCM)", () => {
  it("round-trips and never stores the plaintext", () => {
    const stored = encryptSecret("s3cr3t-password", key);
    expect(stored.startsWith("v1:")).toBe(true);
    expect(stored).not.toContain("s3cr3t");
    expect(decryptSecret(stored, key)).toBe("s3cr3t-password");
  });

  it("uses a fresh IV each time", () => {
    expect(encryptSecret("same", key)).not.toBe(encryptSecret("same", key));
  });

  it("refuses a tampered ciphertext, tag or IV", () => {
    const stored = encryptSecret("value", key);
    const [v, iv, tag, ct] = stored.split(":");
    const flip = (s: string) => {
      const buf = Buffer.from(s, "base64url");
      buf[0] ^= 0x01;
      return buf.toString("base64url");
    };
    expect(() => decryptSecret([v, iv, tag, flip(ct)].join(":"), key)).toThrow(SecretDecryptError);
    expect(() => decryptSecret([v, iv, flip(tag), ct].join(":"), key)).toThrow(SecretDecryptError);
    expect(() => decryptSecret([v, flip(iv), tag, ct].join(":"), key)).toThrow(SecretDecryptError);
  });

  it("refuses a different key and an unknown version", () => {
    const stored = encryptSecret("value", key);
    expect(() => decryptSecret(stored, parseSecretKey(generateSecretKey()))).toThrow(SecretDecryptError);
    expect(() => decryptSecret(stored.replace(/^v1:/, "v9:"), key)).toThrow(SecretDecryptError);
  });

  it("accepts only 32-byte keys", () => {
    expect(() => parseSecretKey("too-short")).toThrow(/32 bytes/);
    expect(parseSecretKey(Buffer.alloc(32, 7).toString("base64")).length).toBe(32);
  });
});

describe("masking and token hashes", () => {
  it("masks all but the edges", () => {
    expect(maskSecret("hr_live_abcdefghijklmnop")).toBe("hr_l••••••mnop");
    expect(maskSecret("short")).toBe("••••••••");
    expect(maskSecret("tok_12345678")).toBe("••••••••");
    expect(maskSecret(null)).toBe("");
  });

  it("hashes tokens deterministically", () => {
    expect(hashToken("abc")).toBe(hashToken("abc"));
    expect(hashToken("abc")).not.toBe(hashToken("abd"));
  });
});
