import path from "node:path";
import { defineConfig } from "vitest/config";

/**
 * `npm run test:reliability`: crashes, outages, faulty receivers and sustained load. Each file
 * starts its own PostgreSQL (some stop it on purpose), so there is no global setup; files run one
 * after another so that the load and crash figures are not disturbed by each other.
 */
export default defineConfig({
  resolve: { alias: { "@": path.resolve(import.meta.dirname) } },
  test: {
    include: ["tests/reliability/**/*.test.ts"],
    environment: "node",
    testTimeout: 300_000,
    hookTimeout: 120_000,
    pool: "forks",
    fileParallelism: false,
  },
});
