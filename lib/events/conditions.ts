import type { Condition, Conditions } from "@/lib/validations/webhook";

/** Reads a dotted path ("owner.email") from a record; undefined when any step is missing. */
export function readPath(record: unknown, path: string): unknown {
  let current: unknown = record;
  for (const key of path.split(".")) {
    if (current === null || typeof current !== "object" || !Object.prototype.hasOwnProperty.call(current, key))
      return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

function isEmpty(v: unknown): boolean {
  return (
    v === undefined || v === null || (typeof v === "string" && v.trim() === "") || (Array.isArray(v) && v.length === 0)
  );
}

/** Values compare as trimmed, case-insensitive text; numbers compare as numbers when both sides are numeric. */
function text(v: unknown): string {
  if (v === undefined || v === null) return "";
  if (typeof v === "object") return JSON.stringify(v).toLowerCase();
  return String(v).trim().toLowerCase();
}

function same(a: unknown, b: string): boolean {
  const na = typeof a === "number" ? a : Number(text(a));
  const nb = Number(b.trim());
  if (text(a) !== "" && b.trim() !== "" && Number.isFinite(na) && Number.isFinite(nb)) return na === nb;
  return text(a) === b.trim().toLowerCase();
}

function list(value: string): string[] {
  return value
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
}

function compare(a: unknown, b: string): number | null {
  const na = typeof a === "number" ? a : Number(text(a));
  const nb = Number(b.trim());
  if (text(a) !== "" && Number.isFinite(na) && Number.isFinite(nb)) return na - nb;
  const da = Date.parse(String(a));
  const db = Date.parse(b);
  if (!Number.isNaN(da) && !Number.isNaN(db)) return da - db;
  return null;
}

/**
 * One rule against the event. `changed*` operators look at `previous`: the field changed when
 * `previous` holds it and its old value differs from the new one (Freshsales' "deal stage changed
 * to Won" = stage changed_to "Won").
 */
export function evaluateCondition(
  rule: Condition,
  data: Record<string, unknown>,
  previous: Record<string, unknown> | null | undefined,
): boolean {
  const value = readPath(data, rule.field);
  const hadOld = previous !== null && previous !== undefined && readPath(previous, rule.field) !== undefined;
  const old = previous ? readPath(previous, rule.field) : undefined;
  const changed = hadOld && text(old) !== text(value);
  switch (rule.operator) {
    case "equals":
      return same(value, rule.value);
    case "not_equals":
      return !same(value, rule.value);
    case "in":
      return list(rule.value).some((v) => same(value, v));
    case "not_in":
      return !list(rule.value).some((v) => same(value, v));
    case "contains":
      if (Array.isArray(value)) return value.some((v) => same(v, rule.value));
      return text(value).includes(rule.value.trim().toLowerCase());
    case "is_empty":
      return isEmpty(value);
    case "is_not_empty":
      return !isEmpty(value);
    case "greater_than": {
      const c = compare(value, rule.value);
      return c !== null && c > 0;
    }
    case "less_than": {
      const c = compare(value, rule.value);
      return c !== null && c < 0;
    }
    case "changed":
      return changed;
    case "changed_to":
      return changed && same(value, rule.value);
    case "changed_from":
      return changed && same(old, rule.value);
  }
}

export function conditionsHold(
  conditions: Conditions | undefined,
  data: Record<string, unknown>,
  previous?: Record<string, unknown> | null,
): boolean {
  if (!conditions || conditions.rules.length === 0) return true;
  const results = conditions.rules.map((r) => evaluateCondition(r, data, previous));
  return conditions.match === "any" ? results.some(Boolean) : results.every(Boolean);
}
