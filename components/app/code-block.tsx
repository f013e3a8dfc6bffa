/** JSON pretty-printed; anything else as it is. Usable from server and client components. */
/** A body for reading: JSON indented, XML one element a line (for display only; what was sent is unchanged). */
export function prettyBody(body: string): string {
  try {
    return JSON.stringify(JSON.parse(body), null, 2);
  } catch {
    return prettyXml(body) ?? body;
  }
}

/**
 * XML indented: an element holding only text on one line, other elements opening and closing on
 * lines of their own. Whitespace between elements is not shown. Null when the text is not XML whose
 * tags balance (it is then shown as it came).
 */
export function prettyXml(xml: string): string | null {
  if (!xml.startsWith("<")) return null;
  const tokens = xml.match(/<[^<>]+>|[^<>]+/g);
  if (!tokens || tokens.join("") !== xml) return null;
  const lines: string[] = [];
  const open: string[] = [];
  const line = (text: string) => lines.push(`${"  ".repeat(open.length)}${text}`);
  const nameOf = (tag: string) => /^<\/?([^\s/>]+)/.exec(tag)?.[1] ?? "";
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (!t.startsWith("<")) {
      if (t.trim()) line(t.trim());
    } else if (t.startsWith("<?") || t.startsWith("<!") || t.endsWith("/>")) {
      line(t);
    } else if (t.startsWith("</")) {
      if (open.pop() !== nameOf(t)) return null;
      line(t);
    } else {
      const [next, after] = [tokens[i + 1], tokens[i + 2]];
      if (next?.startsWith("</") && nameOf(next) === nameOf(t)) {
        line(t + next);
        i += 1;
      } else if (
        next !== undefined &&
        !next.startsWith("<") &&
        after?.startsWith("</") &&
        nameOf(after) === nameOf(t)
      ) {
        line(t + next + after);
        i += 2;
      } else {
        line(t);
        open.push(nameOf(t));
      }
    }
  }
  return open.length === 0 ? lines.join("\n") : null;
}

export function CodeBlock({ children, label }: { children: string; label: string }) {
  return (
    // Focusable: it scrolls, and keyboard users scroll it too.
    <pre
      aria-label={label}
      tabIndex={0}
      className="bg-muted focus-visible:ring-ring/50 max-h-80 overflow-auto rounded-md p-3 font-mono text-xs break-all whitespace-pre-wrap outline-none focus-visible:ring-[3px]"
    >
      {children}
    </pre>
  );
}

/** Name/value rows of HTTP headers, as logged (secrets already masked). */
export function HeaderTable({ headers, label }: { headers: Record<string, string> | null; label: string }) {
  const entries = Object.entries(headers ?? {});
  if (entries.length === 0) return <p className="text-muted-foreground text-sm">No headers.</p>;
  return (
    <table className="w-full text-xs" aria-label={label}>
      <tbody>
        {entries.map(([name, value]) => (
          <tr key={name} className="border-b last:border-0">
            <th
              scope="row"
              className="text-muted-foreground py-1 pr-3 text-left align-top font-mono font-normal whitespace-nowrap"
            >
              {name}
            </th>
            <td className="py-1 font-mono break-all">{value}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
