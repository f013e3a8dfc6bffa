import { ChevronsUpDownIcon } from "lucide-react";

/** The account menu's button (see components/app/shell-menus.tsx: it shows before the menu's code loads). */
export const USER_MENU_TRIGGER =
  "hover:bg-sidebar-accent flex w-full items-center gap-3 rounded-md p-2 text-left outline-none focus-visible:ring-2 focus-visible:ring-ring";

/** Initials, name, role and the chevron: what the account menu's button shows, loaded or not. */
export function UserMenuButtonContent({ name, roleName }: { name: string; roleName: string }) {
  const initials = name
    .split(/\s+/)
    .map((p) => p[0])
    .join("")
    .slice(0, 2)
    .toUpperCase();
  return (
    <>
      {/* Named by what it shows (name and role), then what it is: no label that differs from the visible text. */}
      <span
        aria-hidden
        data-slot="avatar"
        className="bg-primary/10 text-primary relative flex size-8 shrink-0 items-center justify-center overflow-hidden rounded-full text-xs font-semibold"
      >
        {initials}
      </span>
      <span className="min-w-0 flex-1">
        <span className="block truncate text-sm font-medium">{name}</span>
        <span className="text-muted-foreground block truncate text-xs">{roleName}</span>
      </span>
      <span className="sr-only">{", account menu"}</span>
      <ChevronsUpDownIcon className="text-muted-foreground size-4" aria-hidden />
    </>
  );
}
