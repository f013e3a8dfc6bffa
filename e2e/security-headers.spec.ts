import { expect, test } from "@playwright/test";

/**
 * Issue 13 item 9: security headers on every page. The page's Content-Security-Policy carries a fresh
 * nonce per request and Next.js's scripts carry it (the page still works: no CSP violation while
 * signing in); framing is refused; no MIME sniffing; a strict referrer policy; HSTS over HTTPS only.
 */
test("every page has its security headers, a fresh script nonce, and works under its CSP", async ({
  page,
  request,
}) => {
  const first = await request.get("/sign-in");
  const second = await request.get("/sign-in");
  const csp = first.headers()["content-security-policy"];
  expect(csp).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]{16,}' 'strict-dynamic'/);
  expect(csp).toContain("frame-ancestors 'none'");
  expect(csp).toContain("object-src 'none'");
  const nonce = /'nonce-([^']+)'/.exec(csp)![1];
  expect(/'nonce-([^']+)'/.exec(second.headers()["content-security-policy"])![1]).not.toBe(nonce);
  // Next.js's own scripts carry this response's nonce.
  const html = await first.text();
  expect(html).toContain(`nonce="${nonce}"`);
  expect(html).not.toMatch(/<script(?![^>]*nonce=)[^>]*>[^<]+<\/script>/);
  expect(first.headers()).toMatchObject({
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    "referrer-policy": "strict-origin-when-cross-origin",
  });
  // HSTS only when served over HTTPS (behind a proxy that says so).
  expect(first.headers()["strict-transport-security"]).toBeUndefined();
  const overHttps = await request.get("/sign-in", { headers: { "x-forwarded-proto": "https" } });
  expect(overHttps.headers()["strict-transport-security"]).toBe("max-age=31536000; includeSubDomains");
  // API responses get the static ones too.
  const api = await request.get("/api/health");
  expect(api.headers()).toMatchObject({ "x-content-type-options": "nosniff", "x-frame-options": "DENY" });

  // The page works under its policy: the form hydrates and answers, and nothing is blocked.
  const violations: string[] = [];
  page.on("console", (m) => {
    if (/Content Security Policy|Refused to (execute|load|apply)/i.test(m.text())) violations.push(m.text());
  });
  await page.goto("/sign-in");
  await page.getByLabel("Email").fill("nobody@example.test");
  await page.getByLabel("Password").fill("not-the-password-1");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByText("Wrong email or password")).toBeVisible();
  expect(violations).toEqual([]);
});
