"use client";

import { useState } from "react";
import { BreakableUrl } from "@/components/app/breakable-url";
import { CircleCheckIcon, CircleXIcon, ClockIcon, SendIcon, TriangleAlertIcon } from "lucide-react";
import { CodeBlock, HeaderTable, prettyBody } from "@/components/app/code-block";
import { Alert, AlertDescription, AlertTitle } from "@/components/ui/alert";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Label } from "@/components/ui/label";
import { Textarea } from "@/components/ui/textarea";
import { Sheet, SheetContent, SheetDescription, SheetHeader, SheetTitle } from "@/components/ui/sheet";
import { Spinner } from "@/components/ui/spinner";
import { Tabs, TabsContent, TabsList, TabsTrigger } from "@/components/ui/tabs";
import type { TestResult } from "@/lib/delivery/test-webhook";
import { parseSampleRecord } from "./sample-record";

/**
 * The record Test sent, editable: change a value (an empty email, a long name…) and send again with it.
 * `text` is the edited JSON (null: the record as last sent).
 */
function SampleRecordEditor({
  sample,
  text,
  onTextChange,
  onSend,
  pending,
}: {
  sample: Record<string, unknown>;
  text: string | null;
  onTextChange: (text: string | null) => void;
  onSend: (sample: Record<string, unknown>) => void;
  pending: boolean;
}) {
  const [error, setError] = useState<string | null>(null);
  const value = text ?? JSON.stringify(sample, null, 2);
  function send() {
    const parsed = parseSampleRecord(value);
    if (!parsed.ok) return setError(parsed.error);
    setError(null);
    onSend(parsed.sample);
  }
  return (
    <section aria-labelledby="test-sample-heading" className="space-y-2 border-t pt-4">
      <h3 id="test-sample-heading" className="text-sm font-medium">
        Sample record
      </h3>
      <p className="text-muted-foreground text-xs" id="test-sample-hint">
        The record the test was built from. Edit it (JSON) to try other values, then send again; nothing is saved.
      </p>
      <Label htmlFor="test-sample" className="sr-only">
        Sample record (JSON)
      </Label>
      <Textarea
        id="test-sample"
        value={value}
        onChange={(e) => {
          onTextChange(e.target.value);
          setError(null);
        }}
        rows={10}
        spellCheck={false}
        aria-describedby={error ? "test-sample-hint test-sample-error" : "test-sample-hint"}
        aria-invalid={error ? true : undefined}
        className="font-mono text-xs"
      />
      <div className="min-h-5">
        {error ? (
          <p id="test-sample-error" className="text-destructive text-sm">
            {error}
          </p>
        ) : null}
      </div>
      <div className="flex flex-wrap justify-end gap-2">
        {text !== null ? (
          <Button type="button" variant="ghost" size="sm" onClick={() => onTextChange(null)} disabled={pending}>
            Undo my edits
          </Button>
        ) : null}
        <Button type="button" size="sm" onClick={send} disabled={pending}>
          <SendIcon aria-hidden /> Send with this record
        </Button>
      </div>
    </section>
  );
}

/**
 * The Test result beside the form: what was sent (secrets masked) and what came back, with the
 * status's plain-words meaning — or why nothing came back.
 */
export function TestPanel({
  open,
  onOpenChange,
  pending,
  result,
  sampleText,
  onSampleTextChange,
  onSendSample,
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  pending: boolean;
  result: TestResult | null;
  /** The sample record as edited here (JSON), or null for the one last sent. */
  sampleText: string | null;
  onSampleTextChange: (text: string | null) => void;
  /** Sends the test again with an edited record. */
  onSendSample: (sample: Record<string, unknown>) => void;
}) {
  const sent = result && result.ok ? result : null;
  // The record stays editable while the next test runs (and after one that was refused before sending).
  const [lastSample, setLastSample] = useState<Record<string, unknown> | null>(null);
  if (sent && sent.sample !== lastSample) setLastSample(sent.sample);
  const success = sent && !sent.error;
  return (
    <Sheet open={open} onOpenChange={onOpenChange}>
      <SheetContent className="w-full gap-0 overflow-y-auto sm:max-w-xl" aria-describedby="test-panel-description">
        <SheetHeader className="border-b">
          <SheetTitle>Test result</SheetTitle>
          <SheetDescription id="test-panel-description">
            A sample event of the chosen type, sent with the form&apos;s current values. Nothing is saved.
          </SheetDescription>
        </SheetHeader>
        <div className="space-y-4 p-4" aria-live="polite" aria-busy={pending}>
          {pending ? (
            <div className="text-muted-foreground flex items-center gap-2 py-10 text-sm">
              <Spinner className="size-4" /> Sending the test request…
            </div>
          ) : null}
          {!pending && result && !result.ok ? (
            <Alert variant="destructive">
              <TriangleAlertIcon aria-hidden />
              <AlertTitle>Not sent</AlertTitle>
              <AlertDescription>{result.message}</AlertDescription>
            </Alert>
          ) : null}
          {!pending && sent ? (
            <>
              <div
                className={
                  success
                    ? "rounded-lg border border-emerald-200 bg-emerald-50 p-4 dark:border-emerald-900 dark:bg-emerald-950"
                    : "rounded-lg border border-red-200 bg-red-50 p-4 dark:border-red-900 dark:bg-red-950"
                }
              >
                <div className="flex items-start gap-3">
                  {success ? (
                    <CircleCheckIcon className="mt-0.5 size-5 text-emerald-600" aria-hidden />
                  ) : (
                    <CircleXIcon className="mt-0.5 size-5 text-red-600" aria-hidden />
                  )}
                  <div className="min-w-0 space-y-1">
                    <p className="font-medium" data-testid="test-status">
                      {sent.response
                        ? `${sent.response.status} — ${success ? "delivered" : "the receiver refused it"}`
                        : "No response"}
                    </p>
                    <p className="text-sm" data-testid="test-meaning">
                      {sent.error ? sent.error.meaning : sent.response?.statusMeaning}
                    </p>
                    {sent.error && sent.error.kind !== "http_status" ? (
                      <p className="text-muted-foreground text-xs break-all">{sent.error.message}</p>
                    ) : null}
                    {sent.response ? (
                      <p className="text-muted-foreground flex items-center gap-1 text-xs">
                        <ClockIcon className="size-3.5" aria-hidden /> {sent.response.durationMs} ms
                      </p>
                    ) : null}
                  </div>
                </div>
              </div>
              <Tabs defaultValue={sent.response ? "response" : "request"}>
                <TabsList>
                  <TabsTrigger value="request">Request sent</TabsTrigger>
                  <TabsTrigger value="response" disabled={!sent.response}>
                    Response
                  </TabsTrigger>
                </TabsList>
                <TabsContent value="request" className="space-y-3 pt-2">
                  <p className="flex items-center gap-2 font-mono text-xs">
                    <Badge variant="outline" className="font-mono">
                      {sent.request.method}
                    </Badge>
                    <BreakableUrl url={sent.request.url} className="min-w-0" />
                  </p>
                  <h3 className="text-sm font-medium">Headers</h3>
                  <HeaderTable headers={sent.request.headers} label="Request headers" />
                  <h3 className="text-sm font-medium">Body</h3>
                  {sent.request.body === null ? (
                    <p className="text-muted-foreground text-sm">
                      No body ({sent.request.method} sends its fields in the query string).
                    </p>
                  ) : (
                    <CodeBlock label="Request body">{prettyBody(sent.request.body)}</CodeBlock>
                  )}
                </TabsContent>
                {sent.response ? (
                  <TabsContent value="response" className="space-y-3 pt-2">
                    <h3 className="text-sm font-medium">Headers</h3>
                    <HeaderTable headers={sent.response.headers} label="Response headers" />
                    <h3 className="text-sm font-medium">Body{sent.response.bodyTruncated ? " (first 64 KiB)" : ""}</h3>
                    {sent.response.body ? (
                      <CodeBlock label="Response body">{prettyBody(sent.response.body)}</CodeBlock>
                    ) : (
                      <p className="text-muted-foreground text-sm">Empty.</p>
                    )}
                  </TabsContent>
                ) : null}
              </Tabs>
            </>
          ) : null}
          {lastSample ? (
            <SampleRecordEditor
              sample={lastSample}
              text={sampleText}
              onTextChange={onSampleTextChange}
              onSend={onSendSample}
              pending={pending}
            />
          ) : null}
        </div>
      </SheetContent>
    </Sheet>
  );
}
