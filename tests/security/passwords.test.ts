import { afterAll, describe, expect, it } from "vitest";
import { signUp } from "@/lib/actions/account";
import { testEnvironment, uniqueEmail } from "@/tests/helpers";

/**
 * Issue 13 item 7 (first part): bcrypt reads only the first 72 bytes of a password, so a longer one
 * was silently cut short (two passwords sharing their first 72 bytes were the same password). Now a
 * password over 72 bytes (UTF-8) is refused with a field error that says why.
 */
const env = testEnvironment();
afterAll(() => env.close());

const account = (password: string) => ({
  name: "Pat Password",
  email: uniqueEmail("pw"),
  password,
  companyName: "Passwords Co",
});

describe("passwords longer than bcrypt reads", () => {
  it("are refused on sign-up, naming the field", async () => {
    const long = `correct-horse-9-${"x".repeat(60)}`; // 76 bytes
    const res = await signUp.run(env.deps, { userId: null }, account(long));
    expect(res).toMatchObject({
      ok: false,
      code: "invalid",
      fieldErrors: { password: [expect.stringMatching(/^Use at most 72 bytes/)] },
    });
  });

  it("count bytes, not characters: 30 emoji are 120 bytes", async () => {
    const res = await signUp.run(env.deps, { userId: null }, account(`a1${"😀".repeat(30)}`));
    expect(res).toMatchObject({
      ok: false,
      fieldErrors: { password: [expect.stringMatching(/^Use at most 72 bytes/)] },
    });
  });

  it("72 bytes exactly is fine", async () => {
    const res = await signUp.run(env.deps, { userId: null }, account(`correct-horse-9-${"x".repeat(56)}`));
    expect(res).toMatchObject({ ok: true });
  });
});
