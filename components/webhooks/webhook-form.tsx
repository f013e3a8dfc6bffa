"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { useEffect, useRef, useState, useTransition, type ReactNode } from "react";
import { useFieldArray, useWatch, type FieldPath } from "react-hook-form";
import { BracesIcon, ExternalLinkIcon, FlaskConicalIcon, PlusIcon, PowerIcon, TriangleAlertIcon, XIcon } from "lucide-react";
import { toast } from "sonner";
import { createWebhookAction, setWebhookActiveAction, testWebhookDraftAction, updateWebhookAction } from "@/app/(app)/webhooks/actions";
import { SubmitButton } from "@/components/app/submit-button";
import { Alert, AlertDescription, AlertTitle } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { DropdownMenu, DropdownMenuContent, DropdownMenuItem, DropdownMenuLabel, DropdownMenuSeparator, DropdownMenuTrigger } from "@/components/ui/dropdown-menu";
import { Form, FormControl, FormDescription, FormField, FormItem, FormLabel, FormMessage } from "@/components/ui/form";
import { Input } from "@/components/ui/input";
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from "@/components/ui/select";
import { Spinner } from "@/components/ui/spinner";
import { Switch } from "@/components/ui/switch";
import { Tabs, TabsList, TabsTrigger } from "@/components/ui/tabs";
import { Textarea } from "@/components/ui/textarea";
import type { SavedSecrets } from "@/lib/actions/webhook-reads";
import type { TestResult } from "@/lib/delivery/test-webhook";
import { RETRY_SCHEDULES } from "@/lib/delivery/retry";
import { formatSeconds, parseDelayList } from "@/lib/duration";
import type { EventTypeOption } from "@/lib/events/catalog";
import { applyServerErrors, useZodForm } from "@/lib/use-zod-form";
import {
  BODY_ENCODINGS,
  BODY_METHODS,
  CONDITION_OPERATORS,
  HTTP_METHODS,
  isSecretConstant,
  isSecretHeader,
  RETRY_PRESETS,
  webhookSchema,
  type HttpMethod,
  type WebhookInput,
} from "@/lib/validations/webhook";
import { EventTypePicker } from "./event-type-picker";
import { sameHost } from "@/lib/target-host";
import { cn } from "@/lib/utils";
import { NumberField, SecretSwitch, SelectField, SwitchField, TextField } from "@/components/app/form-fields";
import { SigningSecretCard, SigningSecretDialog } from "./signing-secret";
import { CodeBlock, prettyBody } from "@/components/app/code-block";
import { TestPanel } from "./test-panel";

export interface WebhookFormProps {
  mode: "create" | "edit";
  webhookId?: string;
  defaults: WebhookInput;
  /** Which secrets are saved (never their values). */
  savedSecrets: SavedSecrets;
  eventTypes: EventTypeOption[];
  credentials: { id: string; name: string }[];
  canManage: boolean;
  signing?: { previousValidUntil: string | null };
  disabledReason?: string | null;
}

const OPERATOR_LABELS: Record<(typeof CONDITION_OPERATORS)[number], string> = {
  equals: "equals",
  not_equals: "does not equal",
  in: "is one of",
  not_in: "is not one of",
  contains: "contains",
  is_empty: "is empty",
  is_not_empty: "is not empty",
  greater_than: "is greater than",
  less_than: "is less than",
  changed: "changed",
  changed_to: "changed to",
  changed_from: "changed from",
};
const VALUELESS = new Set(["is_empty", "is_not_empty", "changed"]);

const ENCODING_LABELS: Record<(typeof BODY_ENCODINGS)[number], string> = {
  json: "JSON",
  json_array: "JSON array",
  xml: "XML",
  form: "Form (x-www-form-urlencoded)",
  text: "Plain text",
};

const PRESET_LABELS: Record<(typeof RETRY_PRESETS)[number], string> = {
  standard: "Standard — 8 retries over about 3 days",
  freshsales: "Freshsales — for an hour, then 2 days",
  vtiger: "Vtiger — after 1 h, 2 h and 4 h",
  leadsquared: "LeadSquared — 3 tries in all",
  none: "No retries",
};

const SECTIONS = [
  ["basics", "Basics"],
  ["trigger", "Trigger"],
  ["request", "Request"],
  ["auth", "Authentication"],
  ["body", "Body"],
  ["delivery", "Delivery"],
] as const;

function Section({ id, title, description, children, action }: { id: string; title: string; description: ReactNode; children: ReactNode; action?: ReactNode }) {
  return (
    <Card id={id} className="scroll-mt-20" aria-labelledby={`${id}-title`} role="region">
      <CardHeader className="flex flex-row items-start justify-between gap-4">
        <div className="space-y-1.5">
          <CardTitle id={`${id}-title`}>{title}</CardTitle>
          <CardDescription>{description}</CardDescription>
        </div>
        {action}
      </CardHeader>
      <CardContent className="grid gap-5">{children}</CardContent>
    </Card>
  );
}

function RemoveRowButton({ label, onClick, className }: { label: string; onClick: () => void; className?: string }) {
  return (
    <Button type="button" variant="ghost" size="icon" aria-label={label} onClick={onClick} className={cn("text-muted-foreground hover:text-destructive mt-0.5 shrink-0", className)}>
      <XIcon aria-hidden />
    </Button>
  );
}

/**
 * A custom header or constant parameter: name, value, its Secret switch and remove. A secret value is
 * typed like a password and never shown again: a saved one leaves the input blank (blank keeps it).
 * On a narrow screen the value goes under the name and the switch under the value.
 */
function SecretRow({
  prefix,
  label,
  index,
  name,
  secret,
  saved,
  namePlaceholder,
  valuePlaceholder,
  onRemove,
}: {
  prefix: string;
  label: "Header" | "Constant";
  index: number;
  name: string;
  secret: boolean;
  saved: boolean;
  namePlaceholder: string;
  valuePlaceholder: string;
  onRemove: () => void;
}) {
  const n = index + 1;
  return (
    <div className="grid grid-cols-[minmax(0,1fr)_auto] items-start gap-2 sm:grid-cols-[minmax(0,1fr)_minmax(0,1.5fr)_auto_auto]">
      <TextField name={`${prefix}.name`} aria-label={`${label} ${n} name`} placeholder={namePlaceholder} mono />
      <TextField
        name={`${prefix}.value`}
        aria-label={`${label} ${n} value`}
        type={secret ? "password" : "text"}
        autoComplete={secret ? "new-password" : "off"}
        placeholder={saved ? "Saved — type to replace" : secret ? "secret value" : valuePlaceholder}
        mono
        className="col-span-2 row-start-2 sm:col-span-1 sm:row-start-auto"
      />
      <SecretSwitch name={`${prefix}.secret`} checked={secret} label={`Keep ${name.trim() || `${label.toLowerCase()} ${n}`} secret`} className="row-start-3 sm:row-start-auto" />
      <RemoveRowButton label={`Remove ${label.toLowerCase()} ${n}`} onClick={onRemove} className="col-start-2 row-start-1 sm:col-start-auto sm:row-start-auto" />
    </div>
  );
}

/** Inserts `{{…}}` placeholders from the event's sample record. */
function PlaceholderPicker({ fields, onPick, label = "Insert placeholder" }: { fields: string[]; onPick: (placeholder: string) => void; label?: string }) {
  return (
    <DropdownMenu>
      <DropdownMenuTrigger asChild>
        <Button type="button" variant="outline" size="sm">
          <BracesIcon aria-hidden />
          {label}
        </Button>
      </DropdownMenuTrigger>
      <DropdownMenuContent align="end" className="max-h-80 w-64 overflow-y-auto">
        <DropdownMenuLabel>Event</DropdownMenuLabel>
        {["event.id", "event.type", "event.occurredAt"].map((p) => (
          <DropdownMenuItem key={p} onSelect={() => onPick(`{{${p}}}`)} className="font-mono text-xs">
            {`{{${p}}}`}
          </DropdownMenuItem>
        ))}
        <DropdownMenuSeparator />
        <DropdownMenuLabel>Record</DropdownMenuLabel>
        {fields.length === 0 ? <p className="text-muted-foreground px-2 py-1.5 text-xs">Choose a trigger event first.</p> : null}
        {fields.map((p) => (
          <DropdownMenuItem key={p} onSelect={() => onPick(`{{data.${p}}}`)} className="font-mono text-xs">
            {`{{data.${p}}}`}
          </DropdownMenuItem>
        ))}
      </DropdownMenuContent>
    </DropdownMenu>
  );
}

/** Inserts text at the caret of an input or textarea (or at the end), returning the new value. */
function insertAt(el: HTMLInputElement | HTMLTextAreaElement | null, current: string, text: string): string {
  if (!el || el.selectionStart === null) return current + text;
  const start = el.selectionStart;
  const end = el.selectionEnd ?? start;
  return current.slice(0, start) + text + current.slice(end);
}

export function WebhookForm(props: WebhookFormProps) {
  const { mode, webhookId, eventTypes, credentials, canManage, savedSecrets } = props;
  const router = useRouter();
  const form = useZodForm(webhookSchema, { defaultValues: props.defaults, mode: "onTouched" });
  const { control } = form;
  const values = useWatch({ control }) as WebhookInput;
  const headers = useFieldArray({ control, name: "headers" });
  const rules = useFieldArray({ control, name: "conditions.rules" as never });
  const bodyFields = useFieldArray({ control, name: "body.fields" as never });
  const constants = useFieldArray({ control, name: "body.constants" as never });
  const urlRef = useRef<HTMLInputElement | null>(null);
  const templateRef = useRef<HTMLTextAreaElement | null>(null);

  const [testOpen, setTestOpen] = useState(false);
  const [testPending, startTest] = useTransition();
  const [testResult, setTestResult] = useState<TestResult | null>(null);
  const [createdSecret, setCreatedSecret] = useState<string | null>(null);
  const [preview, setPreview] = useState<{ body: string | null; url: string; error?: string } | null>(null);
  const [delaysText, setDelaysText] = useState(() => {
    const p = props.defaults.retryPolicy;
    return p?.type === "custom" ? p.delays.map(formatSeconds).join(", ") : "30s, 5m, 1h";
  });

  const eventType = eventTypes.find((e) => e.type === values.eventType);
  const sampleFields = eventType?.fields ?? [];
  const method = (values.method ?? "POST") as HttpMethod;
  const hasBody = BODY_METHODS.includes(method);
  const authType = values.auth?.type ?? "none";
  const body = values.body ?? { mode: "raw", encoding: "json" };
  const retry = values.retryPolicy ?? { type: "preset", preset: "standard" };

  // Live preview of the request body (and URL) from the sample record, built by the server's request builder.
  useEffect(() => {
    if (!canManage) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let latest = 0;
    const schedule = () => {
      clearTimeout(timer);
      timer = setTimeout(async () => {
        const values = form.getValues();
        if (!values.eventType) return;
        // Only the body is previewed: sections that do not shape it must not stop it (a half-typed header, no URL yet).
        const config = { ...values, name: "Preview", url: "https://preview.invalid/", headers: [], auth: { type: "none" as const }, conditions: undefined, retryPolicy: undefined };
        const ticket = ++latest;
        const result = await testWebhookDraftAction({ webhookId, config, dryRun: true });
        if (ticket !== latest || !result.ok) return;
        const data = result.data;
        if (data.ok) setPreview({ body: data.request.body, url: data.request.url });
        else setPreview({ body: null, url: "", error: Object.entries(data.fieldErrors).find(([k]) => k.startsWith("body"))?.[1][0] ?? data.message });
      }, 400);
    };
    schedule();
    const sub = form.watch((_all, { name }) => {
      if (!name || /^(body|method|eventType)/.test(name)) schedule();
    });
    return () => {
      clearTimeout(timer);
      latest++;
      sub.unsubscribe();
    };
  }, [canManage, form, webhookId]);

  /** The custom retry list is typed as text; it must read before saving or testing. */
  function syncDelays(): boolean {
    if (form.getValues("retryPolicy")?.type !== "custom") return true;
    const parsed = parseDelayList(delaysText);
    if (!parsed.ok) {
      form.setError("retryPolicy" as FieldPath<WebhookInput>, { type: "manual", message: `“${parsed.bad}” is not a delay: use seconds or 30s, 5m, 2h, 1d, separated by commas` });
      return false;
    }
    form.setValue("retryPolicy", { type: "custom", delays: parsed.seconds }, { shouldValidate: true });
    return true;
  }

  const onSubmit = form.handleSubmit(
    async (config) => {
      if (!syncDelays()) return;
      const result = mode === "create" ? await createWebhookAction(config) : await updateWebhookAction({ ...config, webhookId: webhookId! });
      if (!result.ok) {
        const placed = applyServerErrors(form, result);
        toast.error(placed ? "Fix the highlighted fields — nothing was saved" : result.error);
        return;
      }
      toast.success(result.message ?? "Saved");
      const data = result.data as { signingSecret?: string };
      if (mode === "create" && data.signingSecret) {
        setCreatedSecret(data.signingSecret);
      } else {
        // Secrets typed on the form are saved now; the inputs go back to "saved — leave blank".
        const saved = form.getValues();
        form.reset({ ...saved, auth: blankSecrets(saved.auth), headers: blankRowSecrets(saved.headers ?? [], isSecretHeader), body: blankBodySecrets(saved.body) });
        router.refresh();
      }
    },
    () => toast.error("Fix the highlighted fields — nothing was saved"),
  );

  function runTest() {
    if (!syncDelays()) return;
    setTestOpen(true);
    setTestResult(null);
    startTest(async () => {
      const valid = await form.trigger();
      if (!valid) {
        setTestResult({ ok: false, message: "Fix the highlighted fields, then test again.", fieldErrors: {} });
        return;
      }
      const result = await testWebhookDraftAction({ webhookId, config: form.getValues() });
      if (!result.ok) {
        setTestResult({ ok: false, message: result.error, fieldErrors: {} });
        return;
      }
      if (!result.data.ok) applyServerErrors(form, { ok: false, code: "invalid", error: result.data.message, fieldErrors: result.data.fieldErrors });
      setTestResult(result.data);
    });
  }

  function setAuthType(type: string) {
    const next =
      type === "basic"
        ? { type: "basic" as const, username: "", password: "" }
        : type === "api_key"
          ? { type: "api_key" as const, in: "header" as const, name: "X-Api-Key", value: "" }
          : type === "bearer"
            ? { type: "bearer" as const, token: "" }
            : type === "oauth"
              ? { type: "oauth" as const, credentialId: credentials[0]?.id ?? "" }
              : { type: "none" as const };
    form.setValue("auth", next, { shouldDirty: true });
    form.clearErrors("auth");
  }

  function setBodyMode(mode: string) {
    const encoding = body.encoding ?? "json";
    const next =
      mode === "fields"
        ? { mode: "fields" as const, encoding, fields: sampleFields.slice(0, 3).map((path) => ({ path, as: "" })), constants: [] }
        : mode === "template"
          ? { mode: "template" as const, encoding, template: defaultTemplate(sampleFields) }
          : { mode: "raw" as const, encoding };
    form.setValue("body", next, { shouldDirty: true });
    form.clearErrors("body");
  }

  const secretPlaceholder = (saved: boolean) => (mode === "edit" && saved ? "Saved — leave blank to keep" : "");
  const sameAuthAsSaved = props.defaults.auth?.type === authType;
  // A saved header or constant secret is kept when left blank, unless the URL's host changes (then it must be typed again).
  const rowSecretKept = mode === "edit" && sameHost(props.defaults.url ?? "", values.url ?? "");

  return (
    <>
      {props.disabledReason && !values.active ? (
        <Alert variant="destructive" className="mb-6">
          <TriangleAlertIcon aria-hidden />
          <AlertTitle>Switched off automatically</AlertTitle>
          <AlertDescription>
            <p>{props.disabledReason}</p>
            {canManage && webhookId ? <SwitchBackOn webhookId={webhookId} onDone={() => form.setValue("active", true)} /> : null}
          </AlertDescription>
        </Alert>
      ) : null}
      <div className="grid gap-8 lg:grid-cols-[10rem_1fr]">
        <nav aria-label="Form sections" className="hidden lg:block">
          <ul className="sticky top-6 space-y-1 text-sm">
            {SECTIONS.filter(([id]) => id !== "body" || hasBody).map(([id, label]) => (
              <li key={id}>
                <a href={`#${id}`} className="text-muted-foreground hover:text-foreground block rounded-md px-2 py-1">
                  {label}
                </a>
              </li>
            ))}
            {mode === "edit" ? (
              <li>
                <a href="#signing" className="text-muted-foreground hover:text-foreground block rounded-md px-2 py-1">
                  Signing secret
                </a>
              </li>
            ) : null}
          </ul>
        </nav>
        <Form {...form}>
          <form onSubmit={onSubmit} noValidate className="min-w-0 space-y-6" aria-label={mode === "create" ? "New webhook" : "Edit webhook"}>
            <fieldset disabled={!canManage || form.formState.isSubmitting} className="min-w-0 space-y-6">
              <Section id="basics" title="Basics" description="What this webhook is for. It starts switched off, so you can test it first.">
                <TextField name="name" label="Name" placeholder="Invoice on won deals" />
                <FormField
                  control={control}
                  name="description"
                  render={({ field }) => (
                    <FormItem>
                      <FormLabel>Description</FormLabel>
                      <FormControl>
                        <Textarea rows={2} placeholder="Creates an invoice in the billing system when a deal is won." {...field} value={field.value ?? ""} />
                      </FormControl>
                      <FormMessage />
                    </FormItem>
                  )}
                />
                <SwitchField name="active" label="Active" description="When on, every matching event is sent to the URL." />
              </Section>

              <Section id="trigger" title="Trigger" description="The event that sends this webhook, and optionally conditions the record must meet.">
                <FormField
                  control={control}
                  name="eventType"
                  render={({ field, fieldState }) => (
                    <FormItem>
                      <FormLabel>Event</FormLabel>
                      <FormControl>
                        <EventTypePicker value={field.value ?? ""} onChange={field.onChange} options={eventTypes} invalid={Boolean(fieldState.error)} ref={field.ref} />
                      </FormControl>
                      <FormDescription>{eventType ? eventType.description : "Pick from the catalog; Test sends its sample record."}</FormDescription>
                      <FormMessage />
                    </FormItem>
                  )}
                />
                <div className="space-y-3">
                  <div className="flex flex-wrap items-center gap-2 text-sm">
                    <span className="font-medium">Conditions</span>
                    {rules.fields.length > 1 ? (
                      <>
                        <span className="text-muted-foreground">— send when</span>
                        <FormField
                          control={control}
                          name="conditions.match"
                          render={({ field }) => (
                            <Select value={field.value ?? "all"} onValueChange={field.onChange}>
                              <SelectTrigger size="sm" className="w-24" aria-label="Match">
                                <SelectValue />
                              </SelectTrigger>
                              <SelectContent>
                                <SelectItem value="all">all</SelectItem>
                                <SelectItem value="any">any</SelectItem>
                              </SelectContent>
                            </Select>
                          )}
                        />
                        <span className="text-muted-foreground">of these are true</span>
                      </>
                    ) : (
                      <span className="text-muted-foreground">— optional: without any, every {eventType?.label.toLowerCase() ?? "event"} is sent</span>
                    )}
                  </div>
                  <datalist id="sample-fields">
                    {sampleFields.map((f) => (
                      <option key={f} value={f} />
                    ))}
                  </datalist>
                  {rules.fields.map((row, i) => {
                    const op = values.conditions?.rules?.[i]?.operator ?? "equals";
                    return (
                      <div key={row.id} className="flex flex-col gap-2 rounded-lg border p-3 sm:flex-row sm:items-start">
                        <TextField name={`conditions.rules.${i}.field`} aria-label={`Condition ${i + 1} field`} placeholder="stage" list="sample-fields" className="flex-1" />
                        <SelectField name={`conditions.rules.${i}.operator`} aria-label={`Condition ${i + 1} operator`} options={CONDITION_OPERATORS.map((o) => [o, OPERATOR_LABELS[o]] as const)} className="sm:w-44" />
                        <TextField
                          name={`conditions.rules.${i}.value`}
                          aria-label={`Condition ${i + 1} value`}
                          placeholder={op === "in" || op === "not_in" ? "Won, Lost" : VALUELESS.has(op) ? "No value needed" : "Won"}
                          disabled={VALUELESS.has(op)}
                          className="flex-1"
                        />
                        <RemoveRowButton label={`Remove condition ${i + 1}`} onClick={() => rules.remove(i)} />
                      </div>
                    );
                  })}
                  <Button type="button" variant="outline" size="sm" onClick={() => rules.append({ field: "", operator: "equals", value: "" } as never)}>
                    <PlusIcon aria-hidden /> Add condition
                  </Button>
                </div>
              </Section>

              <Section id="request" title="Request" description="Where the webhook sends the record, and how.">
                <div className="grid gap-4 sm:grid-cols-[8rem_1fr]">
                  <SelectField name="method" label="Method" options={HTTP_METHODS.map((m) => [m, m] as const)} mono />
                  <FormField
                    control={control}
                    name="url"
                    render={({ field }) => (
                      <FormItem>
                        <div className="flex items-center justify-between gap-2">
                          <FormLabel>URL</FormLabel>
                          <PlaceholderPicker fields={sampleFields} onPick={(p) => form.setValue("url", insertAt(urlRef.current, field.value ?? "", p), { shouldDirty: true, shouldValidate: true })} />
                        </div>
                        <FormControl>
                          <Input
                            type="url"
                            inputMode="url"
                            placeholder="https://billing.example.com/hooks/deals/{{data.id}}"
                            className="font-mono text-sm"
                            autoComplete="off"
                            spellCheck={false}
                            {...field}
                            ref={(el) => {
                              field.ref(el);
                              urlRef.current = el;
                            }}
                            value={field.value ?? ""}
                          />
                        </FormControl>
                        <FormDescription>http:// or https://. Placeholders such as {"{{data.id}}"} are filled from the record.</FormDescription>
                        <FormMessage />
                      </FormItem>
                    )}
                  />
                </div>
                <SwitchField
                  name="includeEntityParams"
                  label="Add query parameters"
                  description={
                    <>
                      Appends <code>entityType</code>, <code>entityId</code> and <code>eventType</code> to the URL.
                    </>
                  }
                />
                <div className="space-y-3">
                  <div>
                    <p className="text-sm font-medium">Custom headers</p>
                    <p className="text-muted-foreground text-sm">
                      Names may not contain spaces; trailing spaces are trimmed. Values may hold placeholders, except secret ones: a secret (on by default for names such as X-Api-Token) is encrypted, never shown again and masked in logs.
                    </p>
                  </div>
                  {headers.fields.map((row, i) => {
                    const h = values.headers?.[i] ?? { name: "", value: "" };
                    const secret = isSecretHeader({ name: h.name ?? "", value: h.value ?? "", secret: h.secret });
                    const name = h.name ?? "";
                    return (
                      <SecretRow
                        key={row.id}
                        prefix={`headers.${i}`}
                        label="Header"
                        index={i}
                        name={name}
                        secret={secret}
                        saved={secret && rowSecretKept && savedSecrets.headers.includes(name.trim().toLowerCase())}
                        namePlaceholder="X-Source"
                        valuePlaceholder="hookrelay"
                        onRemove={() => headers.remove(i)}
                      />
                    );
                  })}
                  <Button type="button" variant="outline" size="sm" onClick={() => headers.append({ name: "", value: "" })}>
                    <PlusIcon aria-hidden /> Add header
                  </Button>
                </div>
              </Section>

              <Section id="auth" title="Authentication" description="How the receiver knows the request comes from you. Secrets are encrypted and never shown again.">
                <div className="grid gap-4 sm:grid-cols-2">
                  <FormItem>
                    <FormLabel htmlFor="auth-type">Authentication type</FormLabel>
                    <Select value={authType} onValueChange={setAuthType}>
                      <SelectTrigger id="auth-type" className="w-full">
                        <SelectValue />
                      </SelectTrigger>
                      <SelectContent>
                        <SelectItem value="none">None</SelectItem>
                        <SelectItem value="basic">Basic (username and password)</SelectItem>
                        <SelectItem value="api_key">API key</SelectItem>
                        <SelectItem value="bearer">Bearer token</SelectItem>
                        <SelectItem value="oauth">OAuth credential</SelectItem>
                      </SelectContent>
                    </Select>
                  </FormItem>
                </div>
                {authType === "basic" ? (
                  <div className="grid gap-4 sm:grid-cols-2">
                    <TextField name="auth.username" label="Username" />
                    <TextField name="auth.password" label="Password" type="password" autoComplete="new-password" placeholder={secretPlaceholder(savedSecrets.basic && sameAuthAsSaved)} />
                  </div>
                ) : null}
                {authType === "api_key" ? (
                  <div className="grid gap-4 sm:grid-cols-[8rem_1fr_1fr]">
                    <SelectField name="auth.in" label="Send in" options={[["header", "Header"], ["query", "Query"]]} />
                    <TextField name="auth.name" label="Key name" mono />
                    <TextField name="auth.value" label="Key value" type="password" autoComplete="new-password" placeholder={secretPlaceholder(savedSecrets.apiKey && sameAuthAsSaved)} />
                  </div>
                ) : null}
                {authType === "bearer" ? (
                  <TextField name="auth.token" label="Token" type="password" autoComplete="new-password" placeholder={secretPlaceholder(savedSecrets.bearer && sameAuthAsSaved)} description="Sent as Authorization: Bearer …" />
                ) : null}
                {authType === "oauth" ? (
                  credentials.length === 0 ? (
                    <Alert>
                      <AlertTitle>No OAuth credentials yet</AlertTitle>
                      <AlertDescription>
                        <p>
                          <Link href="/oauth" target="_blank" className="text-primary inline-flex items-center gap-1 font-medium underline-offset-4 hover:underline">
                            Create one <ExternalLinkIcon className="size-3.5" aria-hidden />
                          </Link>{" "}
                          in a new tab, then come back and pick it here.
                        </p>
                      </AlertDescription>
                    </Alert>
                  ) : (
                    <FormField
                      control={control}
                      name={"auth.credentialId" as never}
                      render={({ field }) => (
                        <FormItem>
                          <div className="flex items-center justify-between">
                            <FormLabel>OAuth credential</FormLabel>
                            <Link href="/oauth" target="_blank" className="text-primary inline-flex items-center gap-1 text-sm underline-offset-4 hover:underline">
                              Create one <ExternalLinkIcon className="size-3.5" aria-hidden />
                            </Link>
                          </div>
                          <Select value={(field as { value?: string }).value ?? ""} onValueChange={(field as { onChange: (v: string) => void }).onChange}>
                            <FormControl>
                              <SelectTrigger className="w-full">
                                <SelectValue placeholder="Choose a credential" />
                              </SelectTrigger>
                            </FormControl>
                            <SelectContent>
                              {credentials.map((c) => (
                                <SelectItem key={c.id} value={c.id}>
                                  {c.name}
                                </SelectItem>
                              ))}
                            </SelectContent>
                          </Select>
                          <FormDescription>Hookrelay fetches the access token, caches it and refreshes it.</FormDescription>
                          <FormMessage />
                        </FormItem>
                      )}
                    />
                  )
                ) : null}
              </Section>

              {hasBody ? (
                <Section id="body" title="Body" description={`What the ${method} request carries.`}>
                  <div className="grid gap-4 sm:grid-cols-2">
                    <SelectField name="body.encoding" label="Content type" options={BODY_ENCODINGS.map((e) => [e, ENCODING_LABELS[e]] as const)} />
                  </div>
                  <div className="space-y-2">
                    <p className="text-sm font-medium" id="body-mode-label">
                      Content
                    </p>
                    <Tabs value={body.mode} onValueChange={setBodyMode} aria-labelledby="body-mode-label">
                      <TabsList>
                        <TabsTrigger value="raw">Raw data</TabsTrigger>
                        <TabsTrigger value="fields">Selected parameters</TabsTrigger>
                        <TabsTrigger value="template">Advanced template</TabsTrigger>
                      </TabsList>
                    </Tabs>
                    <p className="text-muted-foreground text-sm">
                      {body.mode === "raw"
                        ? "The whole event: its id, type, time, the record and the previous values."
                        : body.mode === "fields"
                          ? "Pick the record's fields, rename them, and add constant parameters."
                          : "Write the body yourself with placeholders; values are escaped for the content type."}
                    </p>
                  </div>
                  {body.mode === "fields" ? (
                    <div className="grid gap-5 lg:grid-cols-2">
                      <div className="space-y-3">
                        <p className="text-sm font-medium">Fields</p>
                        {bodyFields.fields.map((row, i) => (
                          <div key={row.id} className="flex items-start gap-2">
                            <TextField name={`body.fields.${i}.path`} aria-label={`Field ${i + 1}`} placeholder="owner.email" list="sample-fields" mono className="flex-1" />
                            <TextField name={`body.fields.${i}.as`} aria-label={`Field ${i + 1} sent as`} placeholder="Sent as (optional)" mono className="flex-1" />
                            <RemoveRowButton label={`Remove field ${i + 1}`} onClick={() => bodyFields.remove(i)} />
                          </div>
                        ))}
                        <Button type="button" variant="outline" size="sm" onClick={() => bodyFields.append({ path: "", as: "" } as never)}>
                          <PlusIcon aria-hidden /> Add field
                        </Button>
                      </div>
                      <div className="space-y-3">
                        <p className="text-sm font-medium">Constant parameters</p>
                        {constants.fields.length === 0 ? <p className="text-muted-foreground text-sm">None — e.g. source = crm.</p> : null}
                        {constants.fields.map((row, i) => {
                          const c = (body.mode === "fields" ? body.constants?.[i] : undefined) ?? { name: "", value: "" };
                          const name = c.name ?? "";
                          const secret = isSecretConstant({ name, secret: c.secret });
                          return (
                            <SecretRow
                              key={row.id}
                              prefix={`body.constants.${i}`}
                              label="Constant"
                              index={i}
                              name={name}
                              secret={secret}
                              saved={secret && rowSecretKept && savedSecrets.constants.includes(name.trim())}
                              namePlaceholder="source"
                              valuePlaceholder="crm"
                              onRemove={() => constants.remove(i)}
                            />
                          );
                        })}
                        <Button type="button" variant="outline" size="sm" onClick={() => constants.append({ name: "", value: "" } as never)}>
                          <PlusIcon aria-hidden /> Add constant
                        </Button>
                      </div>
                    </div>
                  ) : null}
                  {body.mode === "template" ? (
                    <FormField
                      control={control}
                      name={"body.template" as never}
                      render={({ field }) => (
                        <FormItem>
                          <div className="flex items-center justify-between gap-2">
                            <FormLabel>Template</FormLabel>
                            <PlaceholderPicker
                              fields={sampleFields}
                              onPick={(p) => form.setValue("body.template" as never, insertAt(templateRef.current, (field as { value?: string }).value ?? "", p) as never, { shouldDirty: true })}
                            />
                          </div>
                          <FormControl>
                            <Textarea
                              rows={8}
                              className="font-mono text-sm"
                              spellCheck={false}
                              {...(field as object)}
                              ref={(el: HTMLTextAreaElement | null) => {
                                (field as { ref: (el: unknown) => void }).ref(el);
                                templateRef.current = el;
                              }}
                              value={(field as { value?: string }).value ?? ""}
                            />
                          </FormControl>
                          <FormMessage />
                        </FormItem>
                      )}
                    />
                  ) : null}
                  <div className="space-y-2">
                    <p className="text-sm font-medium">Preview</p>
                    <p className="text-muted-foreground text-xs">Rendered from the sample {eventType?.entity ?? "record"} — what Test would send.</p>
                    {preview?.error ? (
                      <p className="text-destructive text-sm" role="status">
                        {preview.error}
                      </p>
                    ) : preview?.body ? (
                      <CodeBlock label="Body preview">{prettyBody(preview.body)}</CodeBlock>
                    ) : (
                      <p className="text-muted-foreground text-sm">{values.eventType ? "Rendering…" : "Choose a trigger event to see the body."}</p>
                    )}
                  </div>
                </Section>
              ) : (
                <p className="text-muted-foreground rounded-lg border border-dashed p-4 text-sm">
                  {method} requests have no body: the record&apos;s fields are sent in the query string.
                </p>
              )}

              <Section id="delivery" title="Delivery" description="When to send, how long to wait for an answer, and what to do when the receiver fails.">
                <div className="grid gap-4 sm:grid-cols-2">
                  <NumberField name="delaySeconds" label="Execution delay (seconds)" min={0} max={86400} description="Wait before the first attempt. 0 sends at once." />
                  <NumberField name="timeoutSeconds" label="Timeout (seconds)" min={1} max={30} description="1–30 s for the receiver to answer." />
                  <FormItem className="sm:col-span-2">
                    <FormLabel htmlFor="retry-policy">Retries</FormLabel>
                    <Select
                      value={retry.type === "custom" ? "custom" : retry.preset}
                      onValueChange={(v) => {
                        if (v === "custom") {
                          const parsed = parseDelayList(delaysText);
                          form.setValue("retryPolicy", { type: "custom", delays: parsed.ok && parsed.seconds.length ? parsed.seconds : [30, 300, 3600] }, { shouldDirty: true });
                        } else form.setValue("retryPolicy", { type: "preset", preset: v as (typeof RETRY_PRESETS)[number] }, { shouldDirty: true });
                        form.clearErrors("retryPolicy");
                      }}
                    >
                      <SelectTrigger id="retry-policy" className="w-full">
                        <SelectValue />
                      </SelectTrigger>
                      <SelectContent>
                        {RETRY_PRESETS.map((p) => (
                          <SelectItem key={p} value={p}>
                            {PRESET_LABELS[p]}
                          </SelectItem>
                        ))}
                        <SelectItem value="custom">Custom delays…</SelectItem>
                      </SelectContent>
                    </Select>
                    {retry.type === "custom" ? (
                      <Input
                        aria-label="Retry delays"
                        className="mt-2 font-mono text-sm"
                        value={delaysText}
                        onChange={(e) => setDelaysText(e.target.value)}
                        onBlur={syncDelays}
                        placeholder="30s, 5m, 1h, 1d"
                      />
                    ) : null}
                    <FormDescription>{describeRetries(retry)}</FormDescription>
                    <RetryMessage form={form} />
                  </FormItem>
                  <NumberField name="batchWindowSeconds" label="Batch window (seconds)" min={0} max={3600} description="Events inside the window go together as one JSON array. 0 sends each alone." />
                  <NumberField name="maxConcurrency" label="Parallel requests" min={1} max={100} description="At most this many requests to this URL at once." />
                </div>
                <SwitchField name="notifyOnFailure" label="Notify on failure" description="Email you and the admins when a delivery fails for good (at most once an hour)." />
              </Section>
            </fieldset>

            {mode === "edit" && webhookId ? <SigningSecretCard webhookId={webhookId} canManage={canManage} previousValidUntil={props.signing?.previousValidUntil ?? null} /> : null}

            {canManage ? (
              <div data-form-actions className="bg-background/95 supports-backdrop-filter:bg-background/80 sticky bottom-0 z-10 -mx-1 flex flex-wrap items-center justify-end gap-2 border-t px-1 py-3 backdrop-blur">
                {form.formState.isDirty ? <span className="text-muted-foreground mr-auto text-sm">Unsaved changes</span> : null}
                <Button type="button" variant="ghost" asChild>
                  <Link href="/webhooks">Cancel</Link>
                </Button>
                <Button type="button" variant="outline" onClick={runTest} disabled={testPending} aria-busy={testPending || undefined}>
                  {testPending ? <Spinner className="size-4" /> : <FlaskConicalIcon aria-hidden />}
                  Test
                </Button>
                <SubmitButton pending={form.formState.isSubmitting}>{mode === "create" ? "Create webhook" : "Save changes"}</SubmitButton>
              </div>
            ) : null}
          </form>
        </Form>
      </div>
      <TestPanel open={testOpen} onOpenChange={setTestOpen} pending={testPending} result={testResult} />
      <SigningSecretDialog
        secret={createdSecret}
        title="Webhook created"
        description="Receivers verify each request with this signing secret (Standard Webhooks). Copy it now: it is shown only once. You can rotate it later."
        onDone={() => {
          setCreatedSecret(null);
          router.push("/webhooks");
        }}
      />
    </>
  );
}

function RetryMessage({ form }: { form: ReturnType<typeof useZodForm<typeof webhookSchema>> }) {
  const errors = form.formState.errors.retryPolicy as { message?: string; delays?: { message?: string } } | undefined;
  const message = errors?.message ?? errors?.delays?.message;
  return message ? (
    <p className="text-destructive text-sm" role="alert">
      {message}
    </p>
  ) : null;
}

function describeRetries(retry: NonNullable<WebhookInput["retryPolicy"]>): string {
  const delays = retry.type === "custom" ? retry.delays : RETRY_SCHEDULES[retry.preset ?? "standard"];
  if (delays.length === 0) return "One attempt; a failure is final.";
  const total = delays.reduce((a, b) => a + b, 0);
  return `${delays.length + 1} attempts: retries after ${delays.map(formatSeconds).join(", ")} (about ${formatSeconds(total)} in all). A Retry-After from the receiver is honoured.`;
}

function blankSecrets(auth: WebhookInput["auth"]): WebhookInput["auth"] {
  if (!auth) return auth;
  if (auth.type === "basic") return { ...auth, password: "" };
  if (auth.type === "api_key") return { ...auth, value: "" };
  if (auth.type === "bearer") return { ...auth, token: "" };
  return auth;
}

/** Secret rows after a save: their values are saved, the inputs go blank. */
function blankRowSecrets<T extends { name?: string; value?: string; secret?: boolean }>(rows: T[], isSecret: (row: { name: string; value?: string; secret?: boolean }) => boolean): T[] {
  return rows.map((r) => (isSecret({ name: r.name ?? "", value: r.value, secret: r.secret }) ? { ...r, value: "", secret: true } : r));
}

function blankBodySecrets(body: WebhookInput["body"]): WebhookInput["body"] {
  return body?.mode === "fields" ? { ...body, constants: blankRowSecrets(body.constants ?? [], isSecretConstant) } : body;
}

function defaultTemplate(fields: string[]): string {
  const picked = fields.filter((f) => !f.includes(".")).slice(0, 4);
  const lines = [`  "event": "{{event.type}}"`, ...picked.map((f) => `  "${f}": "{{data.${f}}}"`)];
  return `{\n${lines.join(",\n")}\n}`;
}

function SwitchBackOn({ webhookId, onDone }: { webhookId: string; onDone: () => void }) {
  const router = useRouter();
  const [pending, start] = useTransition();
  return (
    <Button
      type="button"
      size="sm"
      variant="outline"
      className="mt-2"
      disabled={pending}
      onClick={() =>
        start(async () => {
          const r = await setWebhookActiveAction({ webhookId, active: true });
          if (r.ok) {
            toast.success(r.message ?? "Switched on");
            onDone();
            router.refresh();
          } else toast.error(r.error);
        })
      }
    >
      {pending ? <Spinner className="size-4" /> : <PowerIcon aria-hidden />}
      Switch back on
    </Button>
  );
}
