"use client";

import { useTransition } from "react";
import { useRouter } from "next/navigation";
import Link from "next/link";
import { LogOutIcon, BuildingIcon, CheckIcon, UserIcon } from "lucide-react";
import { toast } from "sonner";
import { signOutAction } from "@/app/(auth)/actions";
import { switchCompanyAction } from "@/app/(app)/actions";
import { USER_MENU_TRIGGER, UserMenuButtonContent } from "./user-menu-button";
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
  defaultOpen,
}: {
  name: string;
  email: string;
  roleName: string;
  companyId: string;
  companies: { id: string; name: string }[];
  /** Open at once (the shell's stand-in button was pressed before this code had loaded). */
  defaultOpen?: boolean;
}) {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  return (
    <DropdownMenu defaultOpen={defaultOpen}>
      <DropdownMenuTrigger className={USER_MENU_TRIGGER} disabled={pending}>
        <UserMenuButtonContent name={name} roleName={roleName} />
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
