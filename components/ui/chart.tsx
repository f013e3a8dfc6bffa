"use client";

import * as React from "react";
import * as Recharts from "recharts";
import type { DefaultLegendContentProps, LegendPayload, TooltipContentProps, TooltipPayloadEntry } from "recharts";
import { cn } from "@/lib/utils";

/**
 * shadcn/ui's chart, written by hand on recharts 3: `ChartContainer` turns a config of series
 * (label, colour per theme) into CSS variables `--color-<key>` scoped to the chart, so series are
 * coloured with `fill="var(--color-success)"`; `ChartTooltipContent` and `ChartLegendContent` render
 * the series' labels from the same config.
 */

/** Theme name → the selector that turns it on ("" for the default light theme). */
const THEMES = { light: "", dark: ".dark" } as const;

export type ChartConfig = Record<
  string,
  { label?: React.ReactNode; icon?: React.ComponentType } & (
    { color?: string; theme?: never } | { color?: never; theme: Record<keyof typeof THEMES, string> }
  )
>;

const ChartContext = React.createContext<{ config: ChartConfig } | null>(null);

function useChart() {
  const context = React.useContext(ChartContext);
  if (!context) throw new Error("Chart parts must be rendered inside <ChartContainer>");
  return context;
}

function ChartContainer({
  id,
  className,
  children,
  config,
  initialDimension = { width: 320, height: 200 },
  ...props
}: React.ComponentProps<"div"> & {
  config: ChartConfig;
  children: React.ComponentProps<typeof Recharts.ResponsiveContainer>["children"];
  /** The size used before the container has been measured (server render, first paint). */
  initialDimension?: { width: number; height: number };
}) {
  const reactId = React.useId();
  const chartId = `chart-${(id ?? reactId).replace(/[^a-zA-Z0-9_-]/g, "")}`;
  return (
    <ChartContext.Provider value={{ config }}>
      <div
        data-slot="chart"
        data-chart={chartId}
        className={cn(
          "flex aspect-video justify-center text-xs",
          "[&_.recharts-cartesian-axis-tick_text]:fill-muted-foreground [&_.recharts-cartesian-grid_line[stroke='#ccc']]:stroke-border/50",
          "[&_.recharts-curve.recharts-tooltip-cursor]:stroke-border [&_.recharts-rectangle.recharts-tooltip-cursor]:fill-muted",
          "[&_.recharts-dot[stroke='#fff']]:stroke-transparent [&_.recharts-reference-line_[stroke='#ccc']]:stroke-border",
          "[&_.recharts-polar-grid_[stroke='#ccc']]:stroke-border [&_.recharts-radial-bar-background-sector]:fill-muted",
          "[&_.recharts-layer]:outline-hidden [&_.recharts-sector]:outline-hidden [&_.recharts-sector[stroke='#fff']]:stroke-transparent [&_.recharts-surface]:outline-hidden",
          className,
        )}
        {...props}
      >
        <ChartStyle id={chartId} config={config} />
        <Recharts.ResponsiveContainer initialDimension={initialDimension}>{children}</Recharts.ResponsiveContainer>
      </div>
    </ChartContext.Provider>
  );
}

/** The `--color-<key>` variables of each series, per theme, scoped to one chart. */
function ChartStyle({ id, config }: { id: string; config: ChartConfig }) {
  const coloured = Object.entries(config).filter(([, item]) => item.theme ?? item.color);
  if (coloured.length === 0) return null;
  const css = (Object.keys(THEMES) as (keyof typeof THEMES)[])
    .map((theme) => {
      const vars = coloured
        .map(([key, item]) => {
          const color = item.theme?.[theme] ?? item.color;
          return color ? `  --color-${key}: ${color};` : null;
        })
        .filter(Boolean)
        .join("\n");
      return `${THEMES[theme]} [data-chart=${id}] {\n${vars}\n}`;
    })
    .join("\n");
  return <style dangerouslySetInnerHTML={{ __html: css }} />;
}

/** The config entry of a tooltip or legend item: by its `nameKey`/`labelKey` value when that names a series, else by
 * the key itself. */
function configOf(config: ChartConfig, item: unknown, key: string) {
  if (typeof item !== "object" || item === null) return undefined;
  const own = item as Record<string, unknown>;
  const inner =
    typeof own.payload === "object" && own.payload !== null ? (own.payload as Record<string, unknown>) : undefined;
  const named =
    typeof own[key] === "string"
      ? (own[key] as string)
      : typeof inner?.[key] === "string"
        ? (inner[key] as string)
        : key;
  return config[named] ?? config[key];
}

const ChartTooltip = Recharts.Tooltip;

function ChartTooltipContent({
  active,
  payload,
  label,
  className,
  indicator = "dot",
  hideLabel = false,
  hideIndicator = false,
  labelFormatter,
  labelClassName,
  formatter,
  color,
  nameKey,
  labelKey,
}: Partial<Omit<TooltipContentProps<number | string, string>, "payload">> & {
  payload?: readonly TooltipPayloadEntry[];
  className?: string;
  hideLabel?: boolean;
  hideIndicator?: boolean;
  indicator?: "line" | "dot" | "dashed";
  nameKey?: string;
  labelKey?: string;
  color?: string;
}) {
  const { config } = useChart();
  if (!active || !payload?.length) return null;

  const items = payload.filter((item) => item.type !== "none");
  const [first] = items;
  let heading: React.ReactNode = null;
  if (!hideLabel && first) {
    const itemConfig = configOf(config, first, `${labelKey ?? first.dataKey ?? first.name ?? "value"}`);
    const value = !labelKey && typeof label === "string" ? (config[label]?.label ?? label) : itemConfig?.label;
    const text = labelFormatter ? labelFormatter(value, items as never) : value;
    heading = text ? <div className={cn("font-medium", labelClassName)}>{text}</div> : null;
  }
  const nestLabel = items.length === 1 && indicator !== "dot";

  return (
    <div
      className={cn(
        "border-border/50 bg-background grid min-w-32 items-start gap-1.5 rounded-lg border px-2.5 py-1.5 text-xs shadow-xl",
        className,
      )}
    >
      {nestLabel ? null : heading}
      <div className="grid gap-1.5">
        {items.map((item, index) => {
          const itemConfig = configOf(config, item, `${nameKey ?? item.name ?? item.dataKey ?? "value"}`);
          const indicatorColor = color ?? (item.payload as { fill?: string } | undefined)?.fill ?? item.color;
          return (
            <div
              key={`${item.dataKey ?? index}`}
              className={cn(
                "[&>svg]:text-muted-foreground flex w-full flex-wrap items-stretch gap-2 [&>svg]:size-2.5",
                indicator === "dot" && "items-center",
              )}
            >
              {formatter && item.value !== undefined && item.name !== undefined ? (
                formatter(item.value as never, item.name as never, item as never, index, items as never)
              ) : (
                <>
                  {itemConfig?.icon ? (
                    <itemConfig.icon />
                  ) : hideIndicator ? null : (
                    <div
                      aria-hidden
                      className={cn("shrink-0 rounded-[2px] border-(--color-border) bg-(--color-bg)", {
                        "size-2.5": indicator === "dot",
                        "w-1": indicator === "line",
                        "w-0 border-[1.5px] border-dashed bg-transparent": indicator === "dashed",
                        "my-0.5": nestLabel && indicator === "dashed",
                      })}
                      style={{ "--color-bg": indicatorColor, "--color-border": indicatorColor } as React.CSSProperties}
                    />
                  )}
                  <div
                    className={cn(
                      "flex flex-1 justify-between gap-3 leading-none",
                      nestLabel ? "items-end" : "items-center",
                    )}
                  >
                    <div className="grid gap-1.5">
                      {nestLabel ? heading : null}
                      <span className="text-muted-foreground">{itemConfig?.label ?? item.name}</span>
                    </div>
                    {item.value != null ? (
                      <span className="text-foreground font-mono font-medium tabular-nums">
                        {typeof item.value === "number" ? item.value.toLocaleString("en") : String(item.value)}
                      </span>
                    ) : null}
                  </div>
                </>
              )}
            </div>
          );
        })}
      </div>
    </div>
  );
}

const ChartLegend = Recharts.Legend;

function ChartLegendContent({
  className,
  hideIcon = false,
  payload,
  verticalAlign = "bottom",
  nameKey,
}: {
  className?: string;
  hideIcon?: boolean;
  payload?: readonly LegendPayload[];
  verticalAlign?: DefaultLegendContentProps["verticalAlign"];
  nameKey?: string;
}) {
  const { config } = useChart();
  if (!payload?.length) return null;
  return (
    <div
      className={cn(
        "flex flex-wrap items-center justify-center gap-4",
        verticalAlign === "top" ? "pb-3" : "pt-3",
        className,
      )}
    >
      {payload
        .filter((item) => item.type !== "none")
        .map((item) => {
          const itemConfig = configOf(config, item, `${nameKey ?? item.dataKey ?? "value"}`);
          return (
            <div
              key={String(item.value ?? item.dataKey)}
              className="[&>svg]:text-muted-foreground flex items-center gap-1.5 [&>svg]:size-3"
            >
              {itemConfig?.icon && !hideIcon ? (
                <itemConfig.icon />
              ) : (
                <div aria-hidden className="size-2 shrink-0 rounded-[2px]" style={{ backgroundColor: item.color }} />
              )}
              {itemConfig?.label}
            </div>
          );
        })}
    </div>
  );
}

export { ChartContainer, ChartLegend, ChartLegendContent, ChartStyle, ChartTooltip, ChartTooltipContent };
