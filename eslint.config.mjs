// ESLint 9 flat config: Next.js's rules (core web vitals, React, hooks, a11y, TypeScript) plus the
// layers of the code as import rules. Formatting is Prettier's (eslint-config-prettier turns off
// the rules that would fight it). `npm run lint` runs this and `prettier --check`.
import nextCoreWebVitals from "eslint-config-next/core-web-vitals";
import nextTypescript from "eslint-config-next/typescript";
import prettier from "eslint-config-prettier";

/** `no-restricted-imports` patterns that keep one layer from reaching into another. */
const forbid = (groups, message) => ({
  "no-restricted-imports": ["error", { patterns: [{ group: groups, message }] }],
});

const config = [
  {
    ignores: [
      ".next/**",
      "node_modules/**",
      "db/migrations/**",
      "bench/results/**",
      "e2e/screenshots/**",
      "test-results/**",
      "playwright-report/**",
      "next-env.d.ts",
      ".data/**",
    ],
  },
  ...nextCoreWebVitals,
  ...nextTypescript,
  prettier,
  {
    rules: {
      // `_`-prefixed names are deliberately unused (destructuring a field away, an ignored argument).
      "@typescript-eslint/no-unused-vars": [
        "error",
        {
          argsIgnorePattern: "^_",
          varsIgnorePattern: "^_",
          destructuredArrayIgnorePattern: "^_",
          ignoreRestSiblings: true,
        },
      ],
    },
  },
  // Prettier wraps code at 120 columns; what it cannot wrap (a long string, a URL) may run on, comments may not.
  {
    rules: {
      "max-len": [
        "error",
        { code: 120, ignoreStrings: true, ignoreTemplateLiterals: true, ignoreUrls: true, ignoreRegExpLiterals: true },
      ],
    },
  },
  // Server Components render once per request: reading the clock there is the point (the rule is for client
  // components).
  { files: ["app/**/*.tsx"], rules: { "react-hooks/purity": "off" } },
  // Tests and the bench walk JSON answers of any shape.
  {
    files: ["**/*.test.ts", "tests/**/*.ts", "e2e/**/*.ts", "scripts/bench.ts", "bench/**/*.ts"],
    rules: { "@typescript-eslint/no-explicit-any": "off" },
  },
  { files: ["**/*.cjs"], rules: { "@typescript-eslint/no-require-imports": "off" } },
  // Server code logs through lib/log.ts (structured JSON lines with the request's or delivery's ids), never the
  // console. Tests may; a client component's error boundary logs in the browser.
  {
    files: ["app/**/*.{ts,tsx}", "lib/**/*.{ts,tsx,mjs}", "jobs/**/*.ts", "db/**/*.ts", "instrumentation.ts"],
    ignores: ["**/*.test.ts", "app/**/error.tsx"],
    rules: { "no-console": "error" },
  },
  // The layers: db/ is the bottom and imports nothing above it; lib/ never imports the app's routes;
  // components get their data from pages (props) and never query the database.
  // (lib/history, lib/audit and lib/dashboard are leaves — types and constants that import nothing —
  // shared by db/ and the components, which may not import db/; lib/env is the environment, which
  // every layer reads and which imports only zod and the key parser.)
  {
    files: ["db/**/*.ts"],
    ignores: ["db/**/*.test.ts"],
    rules: forbid(
      [
        "@/lib/*",
        "!@/lib/history",
        "!@/lib/audit",
        "!@/lib/dashboard",
        "!@/lib/env",
        "@/app/*",
        "@/jobs/*",
        "@/components/*",
      ],
      "db/ is the lowest layer: it imports nothing from lib/ (but its leaf type modules), jobs/, app/ or components/.",
    ),
  },
  {
    files: ["lib/**/*.ts", "lib/**/*.tsx"],
    ignores: ["lib/**/*.test.ts"],
    rules: forbid(["@/app/*", "@/components/*"], "lib/ is the domain: it never imports routes or components."),
  },
  {
    files: ["components/**/*.ts", "components/**/*.tsx"],
    rules: forbid(
      ["@/db", "@/db/*"],
      "Components never touch the database: load in db/queries, call from the page, pass as props.",
    ),
  },
  {
    files: ["jobs/**/*.ts"],
    ignores: ["jobs/**/*.test.ts"],
    rules: forbid(["@/app/*", "@/components/*"], "Jobs run in the worker: they never import routes or components."),
  },
];

export default config;
