import { Skeleton } from "@/components/ui/skeleton";

/**
 * The placeholders a heavy page shows while it loads (its loading.tsx): the page header's shape, then a table's rows
 * or the dashboard's cards and chart. Announced once to screen readers as "Loading…".
 */
export function PageSkeleton({ variant, rows = 8 }: { variant: "table" | "dashboard"; rows?: number }) {
  return (
    <div aria-busy="true" data-testid="page-skeleton">
      <p className="sr-only" role="status">
        Loading…
      </p>
      <div className="space-y-2 pb-6" aria-hidden>
        <Skeleton className="h-7 w-48" />
        <Skeleton className="h-4 w-full max-w-md" />
      </div>
      {variant === "dashboard" ? (
        <div aria-hidden>
          <div className="grid gap-4 sm:grid-cols-3">
            {[0, 1, 2].map((i) => (
              <Skeleton key={i} className="h-24 rounded-xl" />
            ))}
          </div>
          <Skeleton className="mt-6 h-72 rounded-xl" />
        </div>
      ) : (
        <div aria-hidden>
          <div className="mb-4 flex items-center justify-between gap-3">
            <Skeleton className="h-9 w-full max-w-xs" />
            <Skeleton className="hidden h-4 w-32 sm:block" />
          </div>
          <div className="divide-y rounded-xl border">
            {Array.from({ length: rows }, (_, i) => (
              <div key={i} className="flex items-center gap-4 px-4 py-3">
                <Skeleton className="h-4 flex-1" />
                <Skeleton className="hidden h-4 w-24 sm:block" />
                <Skeleton className="h-5 w-16 rounded-full" />
              </div>
            ))}
          </div>
        </div>
      )}
    </div>
  );
}
