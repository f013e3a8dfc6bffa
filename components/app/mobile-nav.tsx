"use client";

import { useState } from "react";
import { MenuIcon } from "lucide-react";
import { Button } from "@/components/ui/button";
import { Sheet, SheetContent, SheetHeader, SheetTitle, SheetTrigger } from "@/components/ui/sheet";
import { SidebarNav, type NavItem } from "./sidebar-nav";

/** The sidebar's navigation in a sheet, for narrow screens (`defaultOpen`: see components/app/shell-menus.tsx). */
export function MobileNav({ items, defaultOpen = false }: { items: NavItem[]; defaultOpen?: boolean }) {
  const [open, setOpen] = useState(defaultOpen);
  return (
    <Sheet open={open} onOpenChange={setOpen}>
      <SheetTrigger asChild>
        <Button variant="ghost" size="icon" aria-label="Open navigation">
          <MenuIcon />
        </Button>
      </SheetTrigger>
      <SheetContent
        side="left"
        className="w-64 p-2"
        onClick={(e) => (e.target as HTMLElement).closest("a") && setOpen(false)}
      >
        <SheetHeader>
          <SheetTitle>Hookrelay</SheetTitle>
        </SheetHeader>
        <SidebarNav items={items} />
      </SheetContent>
    </Sheet>
  );
}
