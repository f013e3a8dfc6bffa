import Link from "next/link";
import { WebhookIcon } from "lucide-react";
import { getDb } from "@/db";
import { listCompaniesOfUser } from "@/db/queries/companies";
import { ShellMobileNav, ShellUserMenu } from "@/components/app/shell-menus";
import { SidebarNav, type NavItem } from "@/components/app/sidebar-nav";
import { can } from "@/lib/authz";
import { requireActor } from "@/lib/session";

/** The signed-in shell. Navigation shows only what the role allows; every page and action checks again. */
export default async function AppLayout({ children }: { children: React.ReactNode }) {
  const actor = await requireActor();
  const companies = await listCompaniesOfUser(getDb(), actor.userId);
  const seesWebhooks = can(actor, "webhooks.view");
  const items: NavItem[] = [
    { href: "/dashboard", label: "Dashboard", icon: "dashboard" },
    ...(seesWebhooks
      ? ([
          { href: "/webhooks", label: "Webhooks", icon: "webhooks" },
          { href: "/oauth", label: "OAuth credentials", icon: "oauth" },
          { href: "/events", label: "Events", icon: "events" },
          { href: "/event-types", label: "Event types", icon: "eventTypes" },
        ] satisfies NavItem[])
      : []),
    { href: "/settings", label: "Settings", icon: "settings" },
  ];
  return (
    <div className="flex min-h-screen">
      <aside className="bg-sidebar text-sidebar-foreground sticky top-0 hidden h-screen w-64 shrink-0 flex-col border-r md:flex">
        <div className="flex h-14 items-center gap-2 border-b px-4">
          <Link href="/dashboard" className="flex items-center gap-2 font-semibold">
            <span className="bg-primary text-primary-foreground flex size-7 items-center justify-center rounded-md">
              <WebhookIcon className="size-4" aria-hidden />
            </span>
            Hookrelay
          </Link>
        </div>
        <div className="px-4 pt-4 pb-2">
          <p
            className="text-muted-foreground truncate text-xs font-medium tracking-wide uppercase"
            title={actor.companyName}
          >
            {actor.companyName}
          </p>
        </div>
        <div className="flex-1 overflow-y-auto px-2">
          <SidebarNav items={items} />
        </div>
        <div className="border-t p-2">
          <ShellUserMenu
            name={actor.name}
            email={actor.email}
            roleName={actor.role.name}
            companyId={actor.companyId}
            companies={companies}
          />
        </div>
      </aside>
      <div className="flex min-w-0 flex-1 flex-col">
        <header className="bg-background/80 sticky top-0 z-10 flex h-14 items-center gap-3 border-b px-4 backdrop-blur md:hidden">
          <ShellMobileNav items={items} />
          <span className="font-semibold">Hookrelay</span>
          <span className="text-muted-foreground truncate text-sm">{actor.companyName}</span>
        </header>
        <main className="mx-auto w-full max-w-6xl flex-1 px-4 py-8 md:px-8">{children}</main>
      </div>
    </div>
  );
}
