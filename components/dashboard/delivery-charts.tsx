"use client";

import { Bar, BarChart, CartesianGrid, Line, LineChart, XAxis, YAxis } from "recharts";
import {
  ChartContainer,
  ChartLegend,
  ChartLegendContent,
  ChartTooltip,
  ChartTooltipContent,
  type ChartConfig,
} from "@/components/ui/chart";
import type { HourBucket } from "@/lib/dashboard";
import { dayFormat, hourFormat, hourLabel } from "./hours";

/** Series colours (Tailwind's emerald, red, amber, zinc), lighter in the dark theme. */
const STATUS_CONFIG = {
  success: { label: "Succeeded", theme: { light: "oklch(0.596 0.145 163.225)", dark: "oklch(0.696 0.17 162.48)" } },
  failed: { label: "Failed", theme: { light: "oklch(0.577 0.245 27.325)", dark: "oklch(0.637 0.237 25.331)" } },
  pending: { label: "Pending", theme: { light: "oklch(0.769 0.188 70.08)", dark: "oklch(0.828 0.189 84.429)" } },
  skipped: { label: "Skipped", theme: { light: "oklch(0.705 0.015 286.067)", dark: "oklch(0.552 0.016 285.938)" } },
} satisfies ChartConfig;

const RATE_CONFIG = { rate: { label: "Success rate", color: "var(--chart-2)" } } satisfies ChartConfig;

/** The hour axis: every 4 hours over a day, each midnight over a week. */
function hourAxis(buckets: HourBucket[]) {
  const day = buckets.length <= 24;
  return {
    dataKey: "hour",
    ticks: buckets
      .filter((b) => (day ? new Date(b.hour).getUTCHours() % 4 === 0 : new Date(b.hour).getUTCHours() === 0))
      .map((b) => b.hour),
    tickFormatter: (iso: string) => (day ? hourFormat : dayFormat).format(new Date(iso)),
    tickLine: false,
    axisLine: false,
    tickMargin: 8,
    minTickGap: 16,
  };
}

/** The tooltip's heading: the hour of the bar or point, in full. */
const tooltipHour = (_: unknown, payload: readonly { payload?: { hour?: string } }[]) =>
  hourLabel(String(payload?.[0]?.payload?.hour ?? ""));

/** Deliveries per hour, stacked by their current status. Drawn for sighted users; the figures beside it say the same.
 * */
export function DeliveriesByHourChart({ buckets }: { buckets: HourBucket[] }) {
  const withSkipped = buckets.some((b) => b.skipped > 0);
  const keys: (keyof typeof STATUS_CONFIG)[] = withSkipped
    ? ["success", "failed", "pending", "skipped"]
    : ["success", "failed", "pending"];
  return (
    <ChartContainer config={STATUS_CONFIG} className="aspect-auto h-64 w-full" aria-hidden>
      <BarChart data={buckets} margin={{ left: 0, right: 8, top: 8 }} accessibilityLayer={false}>
        <CartesianGrid vertical={false} />
        <XAxis {...hourAxis(buckets)} />
        <YAxis allowDecimals={false} tickLine={false} axisLine={false} width={40} />
        <ChartTooltip cursor={false} content={<ChartTooltipContent labelFormatter={tooltipHour} />} />
        <ChartLegend content={<ChartLegendContent />} />
        {keys.map((key, i) => (
          <Bar
            key={key}
            dataKey={key}
            stackId="status"
            fill={`var(--color-${key})`}
            radius={i === keys.length - 1 ? [3, 3, 0, 0] : 0}
            isAnimationActive={false}
          />
        ))}
      </BarChart>
    </ChartContainer>
  );
}

/** Success rate per hour (succeeded ÷ finished); hours where nothing finished leave a gap. */
export function SuccessRateChart({ buckets }: { buckets: HourBucket[] }) {
  const data = buckets.map((b) => {
    const finished = b.success + b.failed;
    return { hour: b.hour, rate: finished ? Math.round((b.success / finished) * 1000) / 10 : null };
  });
  return (
    <ChartContainer config={RATE_CONFIG} className="aspect-auto h-48 w-full" aria-hidden>
      <LineChart data={data} margin={{ left: 0, right: 8, top: 8 }} accessibilityLayer={false}>
        <CartesianGrid vertical={false} />
        <XAxis {...hourAxis(buckets)} />
        <YAxis
          domain={[0, 100]}
          ticks={[0, 50, 100]}
          tickFormatter={(v) => `${v}%`}
          tickLine={false}
          axisLine={false}
          width={40}
        />
        <ChartTooltip
          cursor={false}
          content={
            <ChartTooltipContent
              labelFormatter={tooltipHour}
              formatter={(value) => (
                <span className="flex w-full justify-between gap-3">
                  <span className="text-muted-foreground">Success rate</span>
                  <span className="font-mono font-medium tabular-nums">{value}%</span>
                </span>
              )}
            />
          }
        />
        <Line
          dataKey="rate"
          type="monotone"
          stroke="var(--color-rate)"
          strokeWidth={2}
          dot={{ r: 3, fill: "var(--color-rate)" }}
          connectNulls={false}
          isAnimationActive={false}
        />
      </LineChart>
    </ChartContainer>
  );
}
