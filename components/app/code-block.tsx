/** JSON pretty-printed; anything else as it is. Usable from server and client components. */
export function prettyBody(body: string): string {
  try {
    return JSON.stringify(JSON.parse(body), null, 2);
  } catch {
    return body;
  }
}

export function CodeBlock({ children, label }: { children: string; label: string }) {
  return (
    <pre
      aria-label={label}
      className="bg-muted max-h-80 overflow-auto rounded-md p-3 font-mono text-xs break-all whitespace-pre-wrap"
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
