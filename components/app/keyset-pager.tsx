import Link from "next/link";
import { ChevronLeftIcon, ChevronRightIcon } from "lucide-react";
import { Button } from "@/components/ui/button";
import { cn } from "@/lib/utils";

/**
 * The "Newest" (or "Newer") and "Older" links of a keyset-paginated list, newest first; nothing
 * when there is one page. Used by the events, the delivery history and the audit log.
 */
export function KeysetPager({
  newerHref,
  olderHref,
  newerLabel = "Newest",
  label = "Pages",
  className = "mt-4",
}: {
  newerHref: string | null;
  olderHref: string | null;
  newerLabel?: string;
  /** The navigation's accessible name. */
  label?: string;
  className?: string;
}) {
  if (!newerHref && !olderHref) return null;
  return (
    <nav className={cn("flex items-center justify-end gap-2", className)} aria-label={label}>
      {newerHref ? (
        <Button variant="outline" size="sm" asChild>
          <Link href={newerHref}>
            <ChevronLeftIcon aria-hidden /> {newerLabel}
          </Link>
        </Button>
      ) : null}
      {olderHref ? (
        <Button variant="outline" size="sm" asChild>
          <Link href={olderHref}>
            Older <ChevronRightIcon aria-hidden />
          </Link>
        </Button>
      ) : null}
    </nav>
  );
}
