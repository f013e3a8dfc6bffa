"use client";

import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import { KeyRoundIcon, RefreshCwIcon, TriangleAlertIcon } from "lucide-react";
import { toast } from "sonner";
import { rotateSigningSecretAction } from "@/app/(app)/webhooks/actions";
import { CopyButton } from "@/components/app/copy-button";
import { Alert, AlertDescription, AlertTitle } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import {
  Dialog,
  DialogContent,
  DialogDescription,
  DialogFooter,
  DialogHeader,
  DialogTitle,
} from "@/components/ui/dialog";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from "@/components/ui/select";
import { Spinner } from "@/components/ui/spinner";
import { formatDateTime } from "@/lib/format";

/** Shows a signing secret once, with a copy button; closing it forgets the secret. */
export function SigningSecretDialog({
  secret,
  title,
  description,
  onDone,
}: {
  secret: string | null;
  title: string;
  description: string;
  onDone: () => void;
}) {
  return (
    <Dialog open={secret !== null} onOpenChange={(open) => (open ? undefined : onDone())}>
      <DialogContent className="sm:max-w-xl">
        <DialogHeader>
          <DialogTitle>{title}</DialogTitle>
          <DialogDescription>{description}</DialogDescription>
        </DialogHeader>
        <Alert>
          <TriangleAlertIcon aria-hidden />
          <AlertTitle>It won&apos;t be shown again</AlertTitle>
          <AlertDescription>
            Hookrelay keeps it encrypted and never displays it after you close this dialog.
          </AlertDescription>
        </Alert>
        <div className="grid gap-2">
          <Label htmlFor="signing-secret">Signing secret</Label>
          <div className="flex gap-2">
            <Input
              id="signing-secret"
              readOnly
              value={secret ?? ""}
              className="font-mono text-xs"
              spellCheck={false}
              autoComplete="off"
              onFocus={(e) => e.currentTarget.select()}
            />
            <CopyButton value={secret ?? ""} />
          </div>
        </div>
        <DialogFooter>
          <Button type="button" onClick={onDone}>
            Done
          </Button>
        </DialogFooter>
      </DialogContent>
    </Dialog>
  );
}

const OVERLAPS = [
  ["0", "None — the old secret stops at once"],
  ["1", "1 hour"],
  ["24", "24 hours"],
  ["72", "3 days"],
  ["168", "7 days"],
] as const;

/** The edit page's signing secret: masked, with rotation (the previous secret keeps signing during the overlap). */
export function SigningSecretCard({
  webhookId,
  canManage,
  previousValidUntil,
}: {
  webhookId: string;
  canManage: boolean;
  previousValidUntil: string | null;
}) {
  const router = useRouter();
  const [confirming, setConfirming] = useState(false);
  const [overlap, setOverlap] = useState("24");
  const [secret, setSecret] = useState<string | null>(null);
  const [pending, start] = useTransition();

  function rotate() {
    start(async () => {
      const r = await rotateSigningSecretAction({ webhookId, overlapHours: Number(overlap) });
      if (!r.ok) {
        toast.error(r.error);
        return;
      }
      toast.success(r.message ?? "Signing secret rotated");
      setConfirming(false);
      setSecret(r.data.signingSecret);
      router.refresh();
    });
  }

  return (
    <Card id="signing" className="scroll-mt-20">
      <CardHeader>
        <CardTitle>Signing secret</CardTitle>
        <CardDescription>
          Every request carries <code>webhook-id</code>, <code>webhook-timestamp</code> and{" "}
          <code>webhook-signature</code> headers (Standard Webhooks), signed with this secret.
        </CardDescription>
      </CardHeader>
      <CardContent className="flex flex-col gap-3 sm:flex-row sm:items-center sm:justify-between">
        <div className="flex items-center gap-2">
          <KeyRoundIcon className="text-muted-foreground size-4" aria-hidden />
          <code className="text-sm">whsec_••••••••••••••••</code>
          {previousValidUntil && new Date(previousValidUntil) > new Date() ? (
            <span className="text-muted-foreground text-xs">
              · previous secret also signs until {formatDateTime(previousValidUntil)}
            </span>
          ) : null}
        </div>
        {canManage ? (
          <Button type="button" variant="outline" onClick={() => setConfirming(true)}>
            <RefreshCwIcon aria-hidden /> Rotate secret
          </Button>
        ) : null}
      </CardContent>
      <Dialog open={confirming} onOpenChange={(open) => (pending ? undefined : setConfirming(open))}>
        <DialogContent>
          <DialogHeader>
            <DialogTitle>Rotate the signing secret?</DialogTitle>
            <DialogDescription>
              A new secret signs every request from now on. Keep the old one signing too for a while, so receivers can
              switch without dropping requests.
            </DialogDescription>
          </DialogHeader>
          <div className="grid gap-2">
            <Label htmlFor="overlap">Old secret keeps signing for</Label>
            <Select value={overlap} onValueChange={setOverlap}>
              <SelectTrigger id="overlap" className="w-full">
                <SelectValue />
              </SelectTrigger>
              <SelectContent>
                {OVERLAPS.map(([v, label]) => (
                  <SelectItem key={v} value={v}>
                    {label}
                  </SelectItem>
                ))}
              </SelectContent>
            </Select>
          </div>
          <DialogFooter>
            <Button type="button" variant="outline" onClick={() => setConfirming(false)} disabled={pending}>
              Cancel
            </Button>
            <Button type="button" onClick={rotate} disabled={pending} aria-busy={pending || undefined}>
              {pending ? <Spinner className="size-4" /> : null}
              Rotate secret
            </Button>
          </DialogFooter>
        </DialogContent>
      </Dialog>
      <SigningSecretDialog
        secret={secret}
        title="New signing secret"
        description="Give this secret to your receivers. Copy it now: it is shown only once."
        onDone={() => setSecret(null)}
      />
    </Card>
  );
}
