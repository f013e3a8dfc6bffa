"use client";

import dynamic from "next/dynamic";
import { Skeleton } from "@/components/ui/skeleton";

/**
 * The dashboard's charts, loaded after the page: recharts is most of the dashboard's JavaScript
 * (≈400 KiB), and the same figures are in words and tables under each chart, so the page shows and
 * works before it arrives. A placeholder of the chart's height holds its place meanwhile.
 */
export const DeliveriesByHourChart = dynamic(() => import("./delivery-charts").then((m) => m.DeliveriesByHourChart), {
  ssr: false,
  loading: () => <Skeleton className="h-64 w-full" aria-hidden />,
});

export const SuccessRateChart = dynamic(() => import("./delivery-charts").then((m) => m.SuccessRateChart), {
  ssr: false,
  loading: () => <Skeleton className="h-48 w-full" aria-hidden />,
});
