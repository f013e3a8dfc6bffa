import Link from "next/link";
import { WebhookIcon } from "lucide-react";

export default function AuthLayout({ children }: { children: React.ReactNode }) {
  return (
    <div className="bg-muted/40 flex min-h-screen flex-col items-center justify-center px-4 py-12">
      <Link href="/" className="mb-8 flex items-center gap-2 text-lg font-semibold">
        <span className="bg-primary text-primary-foreground flex size-8 items-center justify-center rounded-lg">
          <WebhookIcon className="size-5" aria-hidden />
        </span>
        Hookrelay
      </Link>
      <div className="w-full max-w-sm">{children}</div>
    </div>
  );
}
