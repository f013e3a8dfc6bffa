"use client";

import { useEffect, useRef, useState, type ComponentType, type KeyboardEvent, type ReactNode } from "react";
import { MenuIcon } from "lucide-react";
import { Button } from "@/components/ui/button";
import type { MobileNav } from "./mobile-nav";
import type { NavItem } from "./sidebar-nav";
import type { UserMenu } from "./user-menu";
import { USER_MENU_TRIGGER, UserMenuButtonContent } from "./user-menu-button";

/**
 * The signed-in shell's two popups — the account menu and, on narrow screens, the navigation sheet —
 * with their code (Radix's menu, dialog, positioning and focus handling: about 100 KiB) loaded on
 * first intent instead of with every page: until then a button that looks the same stands in.
 * Pointing at it, touching it or focusing it loads the real one; pressing it (click, Enter, Space,
 * or ↓ for the menu) also opens it as soon as it is there. Focus stays on the button when it is swapped.
 */
function OnDemand<P extends object>({
  load,
  props,
  standIn,
  openKeys = [],
}: {
  load: () => Promise<ComponentType<P & { defaultOpen?: boolean }>>;
  props: P;
  standIn: ReactNode;
  openKeys?: string[];
}) {
  const [Loaded, setLoaded] = useState<ComponentType<P & { defaultOpen?: boolean }> | null>(null);
  const [openOnLoad, setOpenOnLoad] = useState(false);
  const box = useRef<HTMLSpanElement>(null);
  const started = useRef(false);
  const hadFocus = useRef(false);
  const fetch = () => {
    if (started.current) return;
    started.current = true;
    load().then(
      (component) => {
        hadFocus.current = !!box.current?.contains(document.activeElement);
        setLoaded(() => component);
      },
      () => {
        started.current = false; // offline for a moment: the next intent tries again
      },
    );
  };
  const open = () => {
    setOpenOnLoad(true);
    fetch();
  };
  useEffect(() => {
    if (Loaded && hadFocus.current && !openOnLoad) box.current?.querySelector<HTMLElement>("button")?.focus();
  }, [Loaded, openOnLoad]);
  // The stand-in's events bubble to this box (pointerover, unlike pointerenter, does).
  const intent = Loaded
    ? {}
    : {
        onPointerOver: fetch,
        onTouchStart: fetch,
        onFocus: fetch,
        onClick: open,
        onKeyDown: (e: KeyboardEvent<HTMLSpanElement>) => {
          if (openKeys.includes(e.key)) {
            e.preventDefault();
            open();
          }
        },
      };
  return (
    <span ref={box} className="contents" {...intent}>
      {Loaded ? <Loaded {...props} defaultOpen={openOnLoad} /> : standIn}
    </span>
  );
}

export function ShellUserMenu(props: Omit<Parameters<typeof UserMenu>[0], "defaultOpen">) {
  return (
    <OnDemand
      load={() => import("./user-menu").then((m) => m.UserMenu)}
      props={props}
      openKeys={["ArrowDown"]}
      standIn={
        <button type="button" className={USER_MENU_TRIGGER} aria-haspopup="menu" aria-expanded={false}>
          <UserMenuButtonContent name={props.name} roleName={props.roleName} />
        </button>
      }
    />
  );
}

export function ShellMobileNav({ items }: { items: NavItem[] }) {
  return (
    <OnDemand<Omit<Parameters<typeof MobileNav>[0], "defaultOpen">>
      load={() => import("./mobile-nav").then((m) => m.MobileNav)}
      props={{ items }}
      standIn={
        <Button variant="ghost" size="icon" aria-label="Open navigation" aria-haspopup="dialog" aria-expanded={false}>
          <MenuIcon />
        </Button>
      }
    />
  );
}
