"use client";

import type { ReactNode } from "react";
import { Button } from "@/components/ui/button";
import { DialogFooter } from "@/components/ui/dialog";
import { SubmitButton } from "./submit-button";

/** Cancel + submit for a form in a dialog; both follow the form's pending state. */
export function FormDialogFooter({
  pending,
  onCancel,
  children,
}: {
  pending: boolean;
  onCancel: () => void;
  children: ReactNode;
}) {
  return (
    <DialogFooter>
      <Button type="button" variant="outline" onClick={onCancel} disabled={pending}>
        Cancel
      </Button>
      <SubmitButton pending={pending}>{children}</SubmitButton>
    </DialogFooter>
  );
}
