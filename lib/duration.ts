/** Short durations for people: 30 → "30s", 7200 → "2h", 90 → "1m 30s". */
export function formatSeconds(total: number): string {
  if (!Number.isFinite(total) || total < 0) return "—";
  if (total === 0) return "0s";
  const parts: string[] = [];
  let rest = Math.round(total);
  for (const [unit, size] of [
    ["d", 86_400],
    ["h", 3_600],
    ["m", 60],
    ["s", 1],
  ] as const) {
    if (rest >= size) {
      parts.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    }
  }
  return parts.slice(0, 2).join(" ");
}

const UNIT: Record<string, number> = { s: 1, m: 60, h: 3_600, d: 86_400 };

/**
 * A list of delays typed as "30s, 5m, 2h, 1d" (a bare number is seconds) → seconds, or the
 * first item that could not be read.
 */
export function parseDelayList(text: string): { ok: true; seconds: number[] } | { ok: false; bad: string } {
  const items = text
    .split(/[,\s]+/)
    .map((s) => s.trim())
    .filter(Boolean);
  const seconds: number[] = [];
  for (const item of items) {
    const m = /^(\d+(?:\.\d+)?)([smhd]?)$/i.exec(item);
    if (!m) return { ok: false, bad: item };
    seconds.push(Math.round(Number(m[1]) * UNIT[(m[2] || "s").toLowerCase()]));
  }
  return { ok: true, seconds };
}
