"use client";

import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useTransition } from "react";
import { Label } from "@/components/ui/label";
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from "@/components/ui/select";
import { Spinner } from "@/components/ui/spinner";

const ALL = "all";

/** Filter by what the entry is about: sets `?type=` and goes back to the newest page. */
export function AuditTypeFilter({
  value,
  options,
}: {
  value: string | null;
  options: { value: string; label: string }[];
}) {
  const router = useRouter();
  const pathname = usePathname();
  const params = useSearchParams();
  const [pending, startTransition] = useTransition();

  function change(next: string) {
    const search = new URLSearchParams(params.toString());
    if (next === ALL) search.delete("type");
    else search.set("type", next);
    search.delete("after");
    search.delete("before");
    startTransition(() => router.replace(`${pathname}${search.size ? `?${search}` : ""}`));
  }

  return (
    <div className="flex items-center gap-2">
      <Label htmlFor="audit-type-filter" className="text-muted-foreground shrink-0 font-normal">
        Show
      </Label>
      <Select value={value ?? ALL} onValueChange={change} disabled={pending}>
        <SelectTrigger id="audit-type-filter" className="min-w-44" aria-busy={pending || undefined}>
          <SelectValue />
        </SelectTrigger>
        <SelectContent>
          <SelectItem value={ALL}>Everything</SelectItem>
          {options.map((o) => (
            <SelectItem key={o.value} value={o.value}>
              {o.label}
            </SelectItem>
          ))}
        </SelectContent>
      </Select>
      {pending ? <Spinner className="text-muted-foreground size-4" /> : null}
    </div>
  );
}
