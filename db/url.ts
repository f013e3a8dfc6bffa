/**
 * postgres.js takes a Unix socket directory as its `host` option only, not from the URL: a `?host=/dir`
 * (what libpq and node-postgres read, and what the embedded server's URL carries) is moved there.
 */
export function postgresTarget(url: string): [string, { host?: string }] {
  const parsed = new URL(url);
  const host = parsed.searchParams.get("host");
  if (!host?.startsWith("/")) return [url, {}];
  parsed.searchParams.delete("host");
  return [parsed.toString(), { host }];
}
