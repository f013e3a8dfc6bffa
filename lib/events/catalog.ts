/**
 * The event catalog: the events of the source products (Freshsales' workflows on contacts, deals
 * and accounts; Vtiger's workflow modules; LeadSquared's lead, opportunity, task, activity and
 * user events) as dotted types, each with a sample record used by Test and "Send a test event".
 */
export interface EventTypeInfo {
  type: string;
  entity: string;
  label: string;
  description: string;
  sample: { data: Record<string, unknown>; previous?: Record<string, unknown> };
}

const contact = {
  id: "c_1042",
  first_name: "Ada",
  last_name: "Lovelace",
  email: "ada@example.com",
  phone: "+44 20 7946 0018",
  company: "Analytical Engines Ltd",
  lifecycle_stage: "Lead",
  owner: { id: "u_7", name: "Grace Hopper", email: "grace@example.com" },
  created_at: "2026-11-20T09:30:00Z",
};
const lead = {
  id: "l_2087",
  first_name: "Alan",
  last_name: "Turing",
  email: "alan@example.com",
  source: "Website form",
  stage: "Prospect",
  score: 42,
  owner: { id: "u_7", name: "Grace Hopper", email: "grace@example.com" },
  created_at: "2026-11-20T10:00:00Z",
};
const account = {
  id: "a_311",
  name: "Analytical Engines Ltd",
  industry: "Manufacturing",
  website: "https://engines.example.com",
  employees: 120,
  city: "London",
  owner: { id: "u_7", name: "Grace Hopper", email: "grace@example.com" },
};
const deal = {
  id: "d_5531",
  name: "Engines — annual licence",
  amount: 48000,
  currency: "EUR",
  stage: "Won",
  pipeline: "Default",
  probability: 100,
  close_date: "2026-11-22",
  account: { id: "a_311", name: "Analytical Engines Ltd" },
  contact: { id: "c_1042", email: "ada@example.com" },
  owner: { id: "u_7", name: "Grace Hopper", email: "grace@example.com" },
};
const task = {
  id: "t_901",
  title: "Send the contract",
  status: "Open",
  due_at: "2026-11-25T16:00:00Z",
  priority: "High",
  related_to: { type: "deal", id: "d_5531" },
  owner: { id: "u_7", name: "Grace Hopper", email: "grace@example.com" },
};
const product = {
  id: "p_77",
  name: "Analytical Engine licence",
  sku: "AE-LIC-1Y",
  price: 48000,
  currency: "EUR",
  active: true,
};
const user = { id: "u_12", name: "Katherine Johnson", email: "katherine@example.com", role: "Sales rep", active: true };
const activity = {
  id: "act_3301",
  type: "Call",
  subject: "Discovery call",
  duration_minutes: 30,
  outcome: "Interested",
  related_to: { type: "lead", id: "l_2087" },
  owner: { id: "u_7", name: "Grace Hopper", email: "grace@example.com" },
};
const form = {
  id: "f_15",
  form_name: "Contact us",
  page_url: "https://example.com/contact",
  fields: { name: "Alan Turing", email: "alan@example.com", message: "Please call me back" },
  submitted_at: "2026-11-22T08:15:00Z",
};

const ticket = {
  id: "tt_4410",
  ticket_no: "TT4410",
  title: "Engine will not start",
  status: "Open",
  priority: "High",
  severity: "Major",
  category: "Big Problem",
  contact: { id: "c_1042", email: "ada@example.com" },
  account: { id: "a_311", name: "Analytical Engines Ltd" },
  owner: { id: "u_7", name: "Grace Hopper", email: "grace@example.com" },
  created_at: "2026-11-21T14:05:00Z",
};
const lineItems = [{ product_id: "p_77", name: "Analytical Engine licence", quantity: 1, unit_price: 48000 }];
const invoice = {
  id: "inv_2201",
  invoice_no: "INV2201",
  subject: "Engines — annual licence",
  status: "Created",
  total: 48000,
  currency: "EUR",
  due_date: "2026-12-22",
  account: { id: "a_311", name: "Analytical Engines Ltd" },
  deal: { id: "d_5531", name: "Engines — annual licence" },
  line_items: lineItems,
  owner: { id: "u_7", name: "Grace Hopper", email: "grace@example.com" },
};
const quote = {
  id: "q_812",
  quote_no: "QUO812",
  subject: "Engines — annual licence",
  stage: "Delivered",
  total: 48000,
  currency: "EUR",
  valid_till: "2026-12-31",
  account: { id: "a_311", name: "Analytical Engines Ltd" },
  line_items: lineItems,
  owner: { id: "u_7", name: "Grace Hopper", email: "grace@example.com" },
};
const salesOrder = {
  id: "so_377",
  salesorder_no: "SO377",
  subject: "Engines — annual licence",
  status: "Approved",
  total: 48000,
  currency: "EUR",
  account: { id: "a_311", name: "Analytical Engines Ltd" },
  quote: { id: "q_812" },
  line_items: lineItems,
  owner: { id: "u_7", name: "Grace Hopper", email: "grace@example.com" },
};
const project = {
  id: "prj_58",
  name: "Engine roll-out",
  status: "In progress",
  progress: 40,
  start_date: "2026-11-01",
  target_end_date: "2027-02-28",
  account: { id: "a_311", name: "Analytical Engines Ltd" },
  owner: { id: "u_7", name: "Grace Hopper", email: "grace@example.com" },
};
const campaign = {
  id: "cmp_19",
  name: "Winter webinar",
  type: "Webinar",
  status: "Active",
  expected_revenue: 120000,
  close_date: "2027-01-15",
  owner: { id: "u_7", name: "Grace Hopper", email: "grace@example.com" },
};
const vendor = {
  id: "v_64",
  name: "Babbage Parts Co",
  email: "orders@babbage.example.com",
  phone: "+44 20 7946 0101",
  category: "Hardware",
  website: "https://babbage.example.com",
};
const accountActivity = {
  id: "aa_5120",
  activity_type: "Site visit",
  note: "Walked through the engine room",
  account: { id: "a_311", name: "Analytical Engines Ltd" },
  owner: { id: "u_7", name: "Grace Hopper", email: "grace@example.com" },
  created_at: "2026-11-22T11:00:00Z",
};
const salesActivity = {
  id: "sa_9003",
  product: { id: "p_77", name: "Analytical Engine licence" },
  quantity: 1,
  amount: 48000,
  currency: "EUR",
  status: "Active",
  lead: { id: "l_2087", email: "alan@example.com" },
  owner: { id: "u_7", name: "Grace Hopper", email: "grace@example.com" },
  created_at: "2026-11-22T12:00:00Z",
};
const leave = {
  id: "lv_301",
  user: { id: "u_12", name: "Katherine Johnson", email: "katherine@example.com" },
  from_date: "2026-12-21",
  to_date: "2026-12-24",
  type: "Vacation",
  status: "Approved",
};

function entry(
  type: string,
  label: string,
  description: string,
  data: Record<string, unknown>,
  previous?: Record<string, unknown>,
): EventTypeInfo {
  return { type, entity: type.split(".")[0], label, description, sample: { data, ...(previous ? { previous } : {}) } };
}

export const EVENT_TYPES: EventTypeInfo[] = [
  entry("contact.created", "New contact", "A contact is created.", contact),
  entry(
    "contact.updated",
    "Contact updated",
    "A contact's fields change.",
    { ...contact, lifecycle_stage: "Customer" },
    { lifecycle_stage: "Lead" },
  ),
  entry("contact.deleted", "Contact deleted", "A contact is deleted.", { id: contact.id, email: contact.email }),
  entry("lead.created", "New lead", "A lead is captured (LeadSquared: lead creation).", lead),
  entry("lead.updated", "Lead updated", "A lead's fields change.", { ...lead, score: 58 }, { score: 42 }),
  entry("lead.deleted", "Lead deleted", "A lead is deleted.", { id: lead.id, email: lead.email }),
  entry("lead.merged", "Leads merged", "Duplicate leads are merged into one.", {
    ...lead,
    merged_ids: ["l_2090", "l_2091"],
  }),
  entry(
    "lead.owner_changed",
    "Lead owner changed",
    "A lead is assigned to another owner.",
    { ...lead, owner: { id: "u_12", name: "Katherine Johnson", email: "katherine@example.com" } },
    { owner: lead.owner },
  ),
  entry(
    "lead.stage_changed",
    "Lead stage changed",
    "A lead moves to another stage.",
    { ...lead, stage: "Qualified" },
    { stage: "Prospect" },
  ),
  entry("lead.score_changed", "Lead score changed", "A lead's score changes.", { ...lead, score: 75 }, { score: 42 }),
  entry("account.created", "New account", "An account (company) is created.", account),
  entry(
    "account.updated",
    "Account updated",
    "An account's fields change.",
    { ...account, employees: 150 },
    { employees: 120 },
  ),
  entry("account.deleted", "Account deleted", "An account is deleted.", { id: account.id, name: account.name }),
  entry("deal.created", "New deal", "A deal (opportunity) is created.", {
    ...deal,
    stage: "Negotiation",
    probability: 60,
  }),
  entry("deal.updated", "Deal updated", "A deal's fields change — e.g. its stage becomes Won.", deal, {
    stage: "Negotiation",
    probability: 60,
  }),
  entry("deal.deleted", "Deal deleted", "A deal is deleted.", { id: deal.id, name: deal.name }),
  entry("deal.stage_changed", "Deal stage changed", "A deal moves to another stage (Freshsales' deal won).", deal, {
    stage: "Negotiation",
  }),
  entry("task.created", "New task", "A task is created.", task),
  entry("task.updated", "Task updated", "A task changes.", { ...task, priority: "Urgent" }, { priority: "High" }),
  entry(
    "task.completed",
    "Task completed",
    "A task is marked done.",
    { ...task, status: "Completed" },
    { status: "Open" },
  ),
  entry(
    "task.cancelled",
    "Task cancelled",
    "A task is cancelled.",
    { ...task, status: "Cancelled" },
    { status: "Open" },
  ),
  entry("task.reminder", "Task reminder", "A task's reminder time is reached.", task),
  entry("product.created", "New product", "A product is created.", product),
  entry("product.updated", "Product updated", "A product changes.", { ...product, price: 52000 }, { price: 48000 }),
  entry("product.deleted", "Product deleted", "A product is deleted.", { id: product.id, sku: product.sku }),
  entry("user.created", "New user", "A user is added to the business app.", user),
  entry(
    "user.updated",
    "User updated",
    "A user's profile changes.",
    { ...user, role: "Sales manager" },
    { role: "Sales rep" },
  ),
  entry("user.activated", "User activated", "A user is activated.", user, { active: false }),
  entry("user.deactivated", "User deactivated", "A user is deactivated.", { ...user, active: false }, { active: true }),
  entry("activity.created", "New activity", "An activity (call, meeting, email) is logged.", activity),
  entry(
    "activity.updated",
    "Activity updated",
    "An activity changes.",
    { ...activity, outcome: "Demo booked" },
    { outcome: "Interested" },
  ),
  entry("form.submitted", "Form submitted", "A web form is submitted.", form),
  // Vtiger: every workflow-enabled module.
  ...crud(
    "ticket",
    "ticket",
    "A help desk ticket (Vtiger: Tickets)",
    ticket,
    { status: "In Progress" },
    { status: "Open" },
  ),
  entry(
    "ticket.status_changed",
    "Ticket status changed",
    "A ticket moves to another status — e.g. Closed.",
    { ...ticket, status: "Closed" },
    { status: "Open" },
  ),
  ...crud("invoice", "invoice", "An invoice (Vtiger: Invoice)", invoice, { status: "Sent" }, { status: "Created" }),
  entry(
    "invoice.paid",
    "Invoice paid",
    "An invoice's status becomes Paid.",
    { ...invoice, status: "Paid" },
    {
      status: "Sent",
    },
  ),
  ...crud("quote", "quote", "A quote (Vtiger: Quotes)", quote, { stage: "Accepted" }, { stage: "Delivered" }),
  ...crud(
    "sales_order",
    "sales order",
    "A sales order (Vtiger: Sales Order)",
    salesOrder,
    { status: "Delivered" },
    {
      status: "Approved",
    },
  ),
  ...crud("project", "project", "A project (Vtiger: Projects)", project, { progress: 60 }, { progress: 40 }),
  ...crud(
    "campaign",
    "campaign",
    "A marketing campaign (Vtiger: Campaigns)",
    campaign,
    { status: "Completed" },
    {
      status: "Active",
    },
  ),
  ...crud(
    "vendor",
    "vendor",
    "A vendor (Vtiger: Vendors)",
    vendor,
    { category: "Software" },
    {
      category: "Hardware",
    },
  ),
  // LeadSquared's event lists.
  entry(
    "lead.field_changed",
    "Lead field value changed",
    "A chosen field of a lead changes value (LeadSquared: field value change); `changed` lists the fields.",
    { ...lead, stage: "Qualified", changed: ["stage"] },
    { stage: "Prospect" },
  ),
  entry(
    "lead_activity.created",
    "Lead activity created",
    "An activity is posted on a lead (LeadSquared: lead activity create).",
    activity,
  ),
  entry(
    "lead_activity.updated",
    "Lead activity updated",
    "A lead's activity changes (LeadSquared: lead activity update).",
    { ...activity, outcome: "Demo booked" },
    { outcome: "Interested" },
  ),
  entry(
    "account_activity.created",
    "Account activity created",
    "An activity is posted on an account (LeadSquared: account activity create).",
    accountActivity,
  ),
  entry(
    "account_activity.updated",
    "Account activity updated",
    "An account's activity changes (LeadSquared: account activity update).",
    { ...accountActivity, note: "Walked through the engine room; follow-up booked" },
    { note: accountActivity.note },
  ),
  entry(
    "sales_activity.created",
    "Sales activity created",
    "A sale is recorded on a lead (LeadSquared: sales activity create).",
    salesActivity,
  ),
  entry(
    "sales_activity.updated",
    "Sales activity updated",
    "A recorded sale changes (LeadSquared: sales activity update).",
    { ...salesActivity, quantity: 2, amount: 96000 },
    { quantity: 1, amount: 48000 },
  ),
  entry(
    "sales_activity.cancelled",
    "Sales activity cancelled",
    "A recorded sale is cancelled (LeadSquared: sales activity cancel).",
    { ...salesActivity, status: "Cancelled" },
    { status: "Active" },
  ),
  entry("leave.created", "Leave created", "A user's leave is entered (LeadSquared: leave create).", leave),
  entry(
    "leave.updated",
    "Leave updated",
    "A user's leave changes (LeadSquared: leave update).",
    { ...leave, to_date: "2026-12-27" },
    { to_date: "2026-12-24" },
  ),
  entry("leave.deleted", "Leave deleted", "A user's leave is removed (LeadSquared: leave delete).", {
    id: leave.id,
    user: leave.user,
  }),
  entry(
    "user.availability_changed",
    "User availability status changed",
    "A user becomes available, busy or away (LeadSquared: user availability status change).",
    { ...user, availability: "Away" },
    { availability: "Available" },
  ),
];

/** A module's created / updated / deleted events (Vtiger's workflow triggers on any module). */
function crud(
  module: string,
  noun: string,
  what: string,
  data: Record<string, unknown> & { id: string },
  changed: Record<string, unknown>,
  before: Record<string, unknown>,
): EventTypeInfo[] {
  const title = noun[0].toUpperCase() + noun.slice(1);
  return [
    entry(`${module}.created`, `New ${noun}`, `${what} is created.`, data),
    entry(`${module}.updated`, `${title} updated`, `${what} changes.`, { ...data, ...changed }, before),
    entry(`${module}.deleted`, `${title} deleted`, `${what} is deleted.`, { id: data.id }),
  ];
}

const BY_TYPE = new Map(EVENT_TYPES.map((e) => [e.type, e]));

export function getEventType(type: string): EventTypeInfo | undefined {
  return BY_TYPE.get(type);
}

export function isKnownEventType(type: string): boolean {
  return BY_TYPE.has(type);
}

/** Dotted paths of a sample record's fields (`owner.email`), for the form's pickers. Arrays are leaves. */
export function fieldPaths(value: Record<string, unknown>, prefix = ""): string[] {
  const out: string[] = [];
  for (const [key, v] of Object.entries(value)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (v && typeof v === "object" && !Array.isArray(v)) out.push(...fieldPaths(v as Record<string, unknown>, path));
    else out.push(path);
  }
  return out;
}

/** What the webhook form needs of the catalog: each type with its label and the sample's field paths. */
export interface EventTypeOption {
  type: string;
  entity: string;
  label: string;
  description: string;
  fields: string[];
  /** The sample record's value of each field path, shortened for a picker ("Selected parameters"). */
  sampleValues?: Record<string, string>;
  /** A type the company registered itself (not the built-in catalog). */
  custom?: boolean;
}

export function eventTypeOptions(): EventTypeOption[] {
  return EVENT_TYPES.map((e) => ({
    type: e.type,
    entity: e.entity,
    label: e.label,
    description: e.description,
    fields: fieldPaths(e.sample.data),
    sampleValues: sampleValues(e.sample.data),
  }));
}

/** How long a sample value may be in a picker before it is cut with "…". */
const SAMPLE_VALUE_MAX = 48;

/** Each field path of a sample record (as fieldPaths) → its value as text, shortened (`owner.email` → grace@…). */
export function sampleValues(value: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const path of fieldPaths(value)) {
    let v: unknown = value;
    for (const key of path.split(".")) v = (v as Record<string, unknown>)[key];
    const text = typeof v === "string" ? v : (JSON.stringify(v) ?? "");
    out[path] = text.length > SAMPLE_VALUE_MAX ? `${text.slice(0, SAMPLE_VALUE_MAX - 1)}…` : text;
  }
  return out;
}

/**
 * The values some fields of the built-in records take (a deal's stage, a ticket's status): offered as a list for a
 * condition's value. Others may come from a business app's own set-up, so the value stays free text.
 */
export const KNOWN_FIELD_VALUES: Record<string, Record<string, readonly string[]>> = {
  deal: { stage: ["Prospect", "Qualification", "Negotiation", "Won", "Lost"] },
  lead: { stage: ["Prospect", "Qualified", "Customer", "Lost"] },
  contact: { lifecycle_stage: ["Lead", "Qualified lead", "Customer"] },
  task: { status: ["Open", "In progress", "Completed", "Cancelled"], priority: ["Low", "Medium", "High", "Urgent"] },
  ticket: {
    status: ["Open", "In Progress", "Wait For Response", "Closed"],
    priority: ["Low", "Normal", "High", "Urgent"],
  },
  invoice: { status: ["Created", "Sent", "Paid", "Cancelled"] },
};

/** The known values of `field` on records of any of `entities` (in the table's order, without repeats). */
export function knownFieldValues(entities: readonly string[], field: string): string[] {
  const out = new Set<string>();
  for (const entity of entities) {
    const values = Object.hasOwn(KNOWN_FIELD_VALUES, entity) ? KNOWN_FIELD_VALUES[entity] : undefined;
    if (values && Object.hasOwn(values, field.trim())) for (const v of values[field.trim()]) out.add(v);
  }
  return [...out];
}
