"use client";

import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useEffect, useRef, useState, useTransition } from "react";
import { SearchIcon } from "lucide-react";
import { Input } from "@/components/ui/input";
import { Spinner } from "@/components/ui/spinner";

/** Search by name or URL: updates `?q=` as the user types (debounced), back to page 1. */
export function WebhookSearch({ initial }: { initial: string }) {
  const router = useRouter();
  const pathname = usePathname();
  const params = useSearchParams();
  const [value, setValue] = useState(initial);
  const [pending, startTransition] = useTransition();
  const first = useRef(true);

  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    const handle = setTimeout(() => {
      const next = new URLSearchParams(params.toString());
      if (value.trim()) next.set("q", value.trim());
      else next.delete("q");
      next.delete("page");
      startTransition(() => router.replace(`${pathname}${next.size ? `?${next}` : ""}`));
    }, 250);
    return () => clearTimeout(handle);
    // eslint-disable-next-line react-hooks/exhaustive-deps -- only the typed value triggers a search
  }, [value]);

  return (
    <div className="relative w-full sm:max-w-xs">
      <SearchIcon
        className="text-muted-foreground pointer-events-none absolute top-1/2 left-2.5 size-4 -translate-y-1/2"
        aria-hidden
      />
      <Input
        type="search"
        aria-label="Search webhooks"
        placeholder="Search by name or URL"
        className="pl-8"
        value={value}
        onChange={(e) => setValue(e.target.value)}
      />
      {pending ? (
        <Spinner className="text-muted-foreground absolute top-1/2 right-2.5 size-4 -translate-y-1/2" />
      ) : null}
    </div>
  );
}
