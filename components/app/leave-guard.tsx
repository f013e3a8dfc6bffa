"use client";

import { useRouter } from "next/navigation";
import { useEffect, useState } from "react";
import {
  AlertDialog,
  AlertDialogAction,
  AlertDialogCancel,
  AlertDialogContent,
  AlertDialogDescription,
  AlertDialogFooter,
  AlertDialogHeader,
  AlertDialogTitle,
} from "@/components/ui/alert-dialog";

/**
 * The in-app address a click on `target` would open, when leaving the page that way should be asked
 * about first: a plain left click on a link to another page of the app. Links to a section of the same
 * page, new tabs, downloads and other sites (the browser asks for those) are left alone.
 */
export function guardedHref(
  target: EventTarget | null,
  event: Pick<MouseEvent, "button" | "metaKey" | "ctrlKey" | "shiftKey" | "altKey">,
  here: Location,
): string | null {
  if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return null;
  const link = target instanceof Element ? target.closest("a[href]") : null;
  if (!(link instanceof HTMLAnchorElement)) return null;
  if ((link.target && link.target !== "_self") || link.hasAttribute("download")) return null;
  const url = new URL(link.href, here.href);
  if (url.origin !== here.origin) return null;
  if (url.pathname === here.pathname && url.search === here.search) return null;
  return `${url.pathname}${url.search}${url.hash}`;
}

/**
 * While `when` holds (a form with unsaved changes), leaving asks first: closing or reloading the tab
 * through the browser's own prompt, following a link inside the app through this dialog. The App
 * Router has no route-change event to cancel, so links are caught as they are clicked.
 */
export function LeaveGuard({ when, what = "your changes" }: { when: boolean; what?: string }) {
  const router = useRouter();
  const [leavingTo, setLeavingTo] = useState<string | null>(null);

  useEffect(() => {
    if (!when) return;
    function onBeforeUnload(e: BeforeUnloadEvent) {
      e.preventDefault();
      // Older browsers ask only when returnValue is set.
      e.returnValue = "";
    }
    function onClick(e: MouseEvent) {
      if (e.defaultPrevented) return;
      const href = guardedHref(e.target, e, window.location);
      if (!href) return;
      // Captured on the document, before the router's own link handling.
      e.preventDefault();
      e.stopPropagation();
      setLeavingTo(href);
    }
    window.addEventListener("beforeunload", onBeforeUnload);
    document.addEventListener("click", onClick, true);
    return () => {
      window.removeEventListener("beforeunload", onBeforeUnload);
      document.removeEventListener("click", onClick, true);
    };
  }, [when]);

  return (
    <AlertDialog open={leavingTo !== null} onOpenChange={(open) => (open ? undefined : setLeavingTo(null))}>
      <AlertDialogContent>
        <AlertDialogHeader>
          <AlertDialogTitle>Leave without saving?</AlertDialogTitle>
          <AlertDialogDescription>
            This page has unsaved changes: {what} will be lost if you leave now.
          </AlertDialogDescription>
        </AlertDialogHeader>
        <AlertDialogFooter>
          <AlertDialogCancel>Stay on this page</AlertDialogCancel>
          <AlertDialogAction
            variant="destructive"
            onClick={() => {
              const href = leavingTo;
              setLeavingTo(null);
              if (href) router.push(href);
            }}
          >
            Leave and discard
          </AlertDialogAction>
        </AlertDialogFooter>
      </AlertDialogContent>
    </AlertDialog>
  );
}
