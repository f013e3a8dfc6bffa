/**
 * The host (name and port, lower case) a URL or URL template points at, read from its text so that
 * placeholders elsewhere in the URL do not matter; null when there is none to read. A saved secret
 * goes only to the host it was saved for (issue 13 item 2): when the host changes, it is typed again.
 */
export function targetHost(url: string): string | null {
  const m = /^\s*([a-z][a-z0-9+.-]*):\/\/(?:[^/?#@]*@)?([^/?#]*)/i.exec(url);
  if (!m) return null;
  const scheme = m[1].toLowerCase();
  let host = m[2].toLowerCase();
  // The default port is the same host.
  if ((scheme === "https" && host.endsWith(":443")) || (scheme === "http" && host.endsWith(":80")))
    host = host.replace(/:\d+$/, "");
  return host || null;
}

/** Whether two URLs point at the same host (an unreadable one never matches). */
export function sameHost(a: string, b: string): boolean {
  const ha = targetHost(a);
  return ha !== null && ha === targetHost(b);
}

/** The field error for a secret left blank after the host changed. */
export function retypeMessage(label: string, from: string, to: string): string {
  return `The host changed (from ${targetHost(from) ?? "?"} to ${targetHost(to) ?? "?"}): type the ${label} again — a saved secret is only sent to the host it was saved for`;
}
