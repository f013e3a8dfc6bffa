import type { ReactNode } from "react";
import Link from "next/link";
import type { LucideIcon } from "lucide-react";
import { WebhookIcon } from "lucide-react";

/**
 * The branded frame of the pages shown when something is not where it should be (not-found.tsx, error.tsx): the
 * Hookrelay mark, a big code, what happened and what to do next.
 */
export function StatusPage({
  icon: Icon,
  code,
  title,
  description,
  actions,
  framed = true,
}: {
  icon: LucideIcon;
  code: string;
  title: string;
  description: ReactNode;
  actions: ReactNode;
  /** Outside the app shell (the 404 page) it brings its own header; inside it, the shell's is enough. */
  framed?: boolean;
}) {
  const body = (
    <div className="mx-auto flex max-w-lg flex-col items-center px-4 py-16 text-center sm:py-24">
      <div className="bg-primary/10 text-primary mb-6 flex size-14 items-center justify-center rounded-full">
        <Icon className="size-7" aria-hidden />
      </div>
      <p className="text-primary font-mono text-sm font-semibold tracking-widest">{code}</p>
      <h1 className="mt-2 text-2xl font-semibold tracking-tight sm:text-3xl">{title}</h1>
      <div className="text-muted-foreground mt-3 text-sm leading-6">{description}</div>
      <div className="mt-8 flex flex-wrap items-center justify-center gap-3">{actions}</div>
    </div>
  );
  if (!framed) return <main>{body}</main>;
  return (
    <div className="flex min-h-screen flex-col">
      <header className="flex h-14 items-center border-b px-4 md:px-8">
        <Link href="/" className="flex items-center gap-2 font-semibold">
          <span className="bg-primary text-primary-foreground flex size-7 items-center justify-center rounded-md">
            <WebhookIcon className="size-4" aria-hidden />
          </span>
          Hookrelay
        </Link>
      </header>
      <main className="flex-1">{body}</main>
    </div>
  );
}
