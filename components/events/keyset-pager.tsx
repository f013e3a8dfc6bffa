import Link from "next/link";
import { ChevronLeftIcon, ChevronRightIcon } from "lucide-react";
import { Button } from "@/components/ui/button";

/** "Newest" / "Older" links of a keyset-paginated list (newest first); nothing when there is one page. */
export function KeysetPager({ newestHref, olderHref }: { newestHref: string | null; olderHref: string | null }) {
  if (!newestHref && !olderHref) return null;
  return (
    <nav className="mt-4 flex items-center justify-end gap-2" aria-label="Pages">
      {newestHref ? (
        <Button variant="outline" size="sm" asChild>
          <Link href={newestHref}>
            <ChevronLeftIcon aria-hidden /> Newest
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
