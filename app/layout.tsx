import type { Metadata } from "next";
import { headers } from "next/headers";
import { GeistSans } from "geist/font/sans";
import { GeistMono } from "geist/font/mono";
import { Toaster } from "@/components/ui/sonner";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "Hookrelay", template: "%s · Hookrelay" },
  description: "Webhooks for your business app: send records to other systems the moment something happens.",
};

export default async function RootLayout({ children }: { children: React.ReactNode }) {
  // Reading the request's nonce (proxy.ts) renders every page per request, so Next.js can put the
  // nonce on its scripts: a prerendered page would carry none, and the CSP would block it.
  await headers();
  return (
    <html lang="en" className={`${GeistSans.variable} ${GeistMono.variable}`}>
      <body className="bg-background text-foreground min-h-screen font-sans antialiased">
        {children}
        <Toaster />
      </body>
    </html>
  );
}
