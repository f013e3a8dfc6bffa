import { ShieldXIcon } from "lucide-react";
import type { ReactNode } from "react";
import { permissionLabel, type Permission } from "@/lib/permissions";

/**
 * Shown in place of a page the user's role does not allow; the server refuses the actions anyway.
 * `message` replaces the default explanation (e.g. for owner-only pages that no permission opens).
 */
export function Forbidden({
  permission,
  area,
  message,
}: {
  permission?: Permission;
  area: string;
  message?: ReactNode;
}) {
  return (
    <div
      role="alert"
      className="mx-auto mt-16 flex max-w-md flex-col items-center rounded-xl border bg-card px-8 py-12 text-center shadow-xs"
    >
      <div className="bg-destructive/10 text-destructive mb-4 flex size-12 items-center justify-center rounded-full">
        <ShieldXIcon className="size-6" aria-hidden />
      </div>
      <h1 className="text-lg font-semibold">You don&apos;t have access to {area}</h1>
      <p className="text-muted-foreground mt-2 text-sm">
        {message ??
          (permission ? (
            <>
              Your role does not hold the <strong>{permissionLabel(permission)}</strong> permission. Ask an owner of
              your company to grant it to your role.
            </>
          ) : (
            "Your role does not allow this. Ask an owner of your company for access."
          ))}
      </p>
    </div>
  );
}
