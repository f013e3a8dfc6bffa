/** Hours are UTC throughout, like every time on Hookrelay's pages (server and browser render the same). */
export const hourFormat = new Intl.DateTimeFormat("en-US", {
  timeZone: "UTC",
  hour: "2-digit",
  minute: "2-digit",
  hourCycle: "h23",
});
export const dayFormat = new Intl.DateTimeFormat("en-US", { timeZone: "UTC", month: "short", day: "numeric" });

/** "Nov 23, 14:00 UTC" */
export function hourLabel(iso: string): string {
  const d = new Date(iso);
  return `${dayFormat.format(d)}, ${hourFormat.format(d)} UTC`;
}
