"use client";

import * as React from "react";
import { CircleCheckIcon, InfoIcon, LoaderCircleIcon, OctagonXIcon, TriangleAlertIcon } from "lucide-react";
import { Toaster as Sonner, type ToasterProps } from "sonner";

/**
 * Toasts sit at the bottom right, lifted above the webhook form's sticky Save / Test bar (61 px; two rows, 110 px, on a
 * phone, where they take the width) so they never cover a page's buttons; rich colours, a close button, text at full
 * contrast.
 */
export const TOAST_OFFSET = { bottom: 80, right: 24 } as const;
export const TOAST_MOBILE_OFFSET = { bottom: 128, left: 12, right: 12 } as const;

const Toaster = ({ theme = "light", ...props }: ToasterProps) => {
  return (
    <Sonner
      theme={theme}
      className="toaster group"
      position="bottom-right"
      offset={TOAST_OFFSET}
      mobileOffset={TOAST_MOBILE_OFFSET}
      richColors
      closeButton
      toastOptions={{ classNames: { title: "text-sm font-medium", description: "text-sm opacity-90" } }}
      icons={{
        success: <CircleCheckIcon className="size-4" />,
        info: <InfoIcon className="size-4" />,
        warning: <TriangleAlertIcon className="size-4" />,
        error: <OctagonXIcon className="size-4" />,
        loading: <LoaderCircleIcon className="size-4 animate-spin" />,
      }}
      style={
        {
          "--normal-bg": "var(--popover)",
          "--normal-text": "var(--popover-foreground)",
          "--normal-border": "var(--border)",
          "--border-radius": "var(--radius)",
          // richColors' own text colours are under 4.5:1 on their backgrounds: the same hues, darker.
          "--success-text": "hsl(140, 100%, 22%)",
          "--info-text": "hsl(210, 92%, 35%)",
          "--warning-text": "hsl(31, 92%, 28%)",
          "--error-text": "hsl(360, 100%, 38%)",
        } as React.CSSProperties
      }
      {...props}
    />
  );
};

export { Toaster };
