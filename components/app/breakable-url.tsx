import { Fragment } from "react";
import { cn } from "@/lib/utils";

/**
 * A URL that wraps where a reader expects it to — after a `/`, `?`, `&`, `=` or `#` — rather than mid-word
 * ("…/toke n"): each of those gets a line-break opportunity (<wbr>). A single part still too long for the line
 * (a token) breaks anywhere as a last resort, so it never widens the page.
 */
export function BreakableUrl({ url, className }: { url: string; className?: string }) {
  const parts = url.split(/(?<=[/?&=#])/);
  return (
    <span className={cn("wrap-anywhere", className)}>
      {parts.map((part, i) => (
        <Fragment key={i}>
          {i > 0 ? <wbr /> : null}
          {part}
        </Fragment>
      ))}
    </span>
  );
}
