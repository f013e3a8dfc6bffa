import path from "node:path";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: { alias: { "@": path.resolve(import.meta.dirname) } },
  test: {
    include: ["**/*.test.ts"],
    exclude: ["node_modules/**", "e2e/**", ".next/**", ".data/**", ".test-data/**", "tests/reliability/**"],
    environment: "node",
    globalSetup: ["./tests/global-setup.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
    // next-auth imports "next/server" without an extension, which Node's ESM resolver refuses; Vite's resolves it.
    server: { deps: { inline: ["next-auth", "@auth/core"] } },
  },
});
