"use client";

import { useTransition } from "react";
import { useRouter } from "next/navigation";
import Link from "next/link";
import { ChevronsUpDownIcon, LogOutIcon, BuildingIcon, CheckIcon, UserIcon } from "lucide-react";
import { toast } from "sonner";
import { signOutAction } from "@/app/(auth)/actions";
import { switchCompanyAction } from "@/app/(app)/actions";
import { Avatar, AvatarFallback } from "@/components/ui/avatar";
import {
  DropdownMenu,
  DropdownMenuContent,
  DropdownMenuItem,
  DropdownMenuLabel,
  DropdownMenuSeparator,
  DropdownMenuTrigger,
} from "@/components/ui/dropdown-menu";

export function UserMenu({
  name,
  email,
  roleName,
  companyId,
  companies,
}: {
  name: string;
  email: string;
  roleName: string;
  companyId: string;
  companies: { id: string; name: string }[];
}) {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const initials = name
    .split(/\s+/)
    .map((p) => p[0])
    .join("")
    .slice(0, 2)
    .toUpperCase();
  return (
    <DropdownMenu>
      <DropdownMenuTrigger
        className="hover:bg-sidebar-accent flex w-full items-center gap-3 rounded-md p-2 text-left outline-none focus-visible:ring-2 focus-visible:ring-ring"
        disabled={pending}
      >
        {/* Named by what it shows (name and role), then what it is: no label that differs from the visible text. */}
        <Avatar className="size-8" aria-hidden>
          <AvatarFallback className="bg-primary/10 text-primary text-xs font-semibold">{initials}</AvatarFallback>
        </Avatar>
        <span className="min-w-0 flex-1">
          <span className="block truncate text-sm font-medium">{name}</span>
          <span className="text-muted-foreground block truncate text-xs">{roleName}</span>
        </span>
        <span className="sr-only">{", account menu"}</span>
        <ChevronsUpDownIcon className="text-muted-foreground size-4" aria-hidden />
      </DropdownMenuTrigger>
      <DropdownMenuContent align="start" className="w-60">
        <DropdownMenuLabel className="font-normal">
          <span className="block text-sm font-medium">{name}</span>
          <span className="text-muted-foreground block truncate text-xs">{email}</span>
        </DropdownMenuLabel>
        {companies.length > 1 ? (
          <>
            <DropdownMenuSeparator />
            <DropdownMenuLabel className="text-muted-foreground text-xs">Companies</DropdownMenuLabel>
            {companies.map((c) => (
              <DropdownMenuItem
                key={c.id}
                onSelect={() =>
                  startTransition(async () => {
                    const result = await switchCompanyAction({ companyId: c.id });
                    if (!result.ok) toast.error(result.error);
                    else router.refresh();
                  })
                }
              >
                <BuildingIcon aria-hidden />
                <span className="flex-1 truncate">{c.name}</span>
                {c.id === companyId ? <CheckIcon aria-hidden /> : null}
              </DropdownMenuItem>
            ))}
          </>
        ) : null}
        <DropdownMenuSeparator />
        <DropdownMenuItem asChild>
          <Link href="/settings/account">
            <UserIcon aria-hidden />
            Your account
          </Link>
        </DropdownMenuItem>
        <DropdownMenuItem onSelect={() => startTransition(() => signOutAction())}>
          <LogOutIcon aria-hidden />
          Sign out
        </DropdownMenuItem>
      </DropdownMenuContent>
    </DropdownMenu>
  );
}
