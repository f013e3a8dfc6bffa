"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";
import type { SettingsSection } from "@/lib/settings-sections";
import { cn } from "@/lib/utils";

/**
 * The horizontal settings navigation: only the sections the viewer's role may open (`sections`, from
 * visibleSettingsSections on the server); the current section is marked with aria-current.
 */
export function SettingsNav({ sections }: { sections: readonly SettingsSection[] }) {
  const pathname = usePathname();
  return (
    <nav aria-label="Settings sections" className="-mb-px flex gap-1 overflow-x-auto border-b">
      {sections.map((link) => {
        const active = pathname === link.href || pathname.startsWith(`${link.href}/`);
        return (
          <Link
            key={link.href}
            href={link.href}
            aria-current={active ? "page" : undefined}
            className={cn(
              "focus-visible:ring-ring/50 -mb-px shrink-0 border-b-2 px-3 py-2 text-sm font-medium whitespace-nowrap transition-colors outline-none focus-visible:rounded-sm focus-visible:ring-[3px]",
              active
                ? "border-primary text-foreground"
                : "text-muted-foreground hover:text-foreground border-transparent hover:border-border",
            )}
          >
            {link.label}
          </Link>
        );
      })}
    </nav>
  );
}
