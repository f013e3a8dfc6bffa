/**
 * Section 8 of the bench: the JavaScript each page makes a browser download before it works, read from
 * the production build's manifests, and the time a browser with an empty cache takes to load a page.
 *
 * Where Next.js 16 (Turbopack) records it: `.next/build-manifest.json` → `rootMainFiles` are the
 * framework's chunks every page loads (React, the router, Turbopack's runtime); each page's
 * `.next/server/app/<route>/page_client-reference-manifest.js` → `entryJSFiles` lists, per layout and
 * for the page itself, the chunks of the client components it renders. A page's first-load JS is the
 * union of both. (`polyfillFiles` are `nomodule` scripts that current browsers skip: not counted.)
 */
import fs from "node:fs";
import path from "node:path";
import { gzipSync } from "node:zlib";

export interface PageJs {
  /** The URL path pattern, e.g. `/webhooks/[id]` (route groups dropped). */
  route: string;
  /** The app directory's segment, e.g. `/(app)/webhooks/[id]/page`. */
  entry: string;
  files: string[];
  rawKiB: number;
  gzipKiB: number;
}

export interface FirstLoadJs {
  pages: PageJs[];
  /** The framework's chunks alone (every page loads them). */
  framework: { files: string[]; rawKiB: number; gzipKiB: number };
  /** The signed-in shell (app/(app)/layout.tsx and the root layout) with no page in it. */
  appShell: { files: string[]; rawKiB: number; gzipKiB: number };
  /** The largest chunks any page loads first, with the pages that load them. */
  largestChunks: { file: string; rawKiB: number; gzipKiB: number; pages: number }[];
}

const kib = (bytes: number) => Math.round((bytes / 1024) * 10) / 10;

/** Reads a `page_client-reference-manifest.js` (a script that assigns one JSON object). */
function readClientManifest(file: string): { entryJSFiles?: Record<string, string[]> } {
  const text = fs.readFileSync(file, "utf8");
  const start = text.indexOf("= {");
  if (start < 0) throw new Error(`${file}: not a client reference manifest`);
  return JSON.parse(
    text
      .slice(start + 2)
      .trim()
      .replace(/;$/, ""),
  );
}

function findManifests(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...findManifests(p));
    else if (e.name === "page_client-reference-manifest.js") out.push(p);
  }
  return out;
}

export function routeOf(entry: string): string {
  const parts = entry.split("/").filter((s) => s && !(s.startsWith("(") && s.endsWith(")")) && s !== "page");
  return `/${parts.join("/")}`;
}

/** First-load JS of every page of the build in `distDir` (`.next`). */
export function firstLoadJs(distDir: string): FirstLoadJs {
  const build = JSON.parse(fs.readFileSync(path.join(distDir, "build-manifest.json"), "utf8")) as {
    rootMainFiles: string[];
  };
  const sizes = new Map<string, { raw: number; gzip: number }>();
  const size = (file: string) => {
    let s = sizes.get(file);
    if (!s) {
      const bytes = fs.readFileSync(path.join(distDir, file));
      s = { raw: bytes.length, gzip: gzipSync(bytes).length };
      sizes.set(file, s);
    }
    return s;
  };
  const measure = (files: Iterable<string>) => {
    const list = [...new Set(files)].sort();
    let raw = 0;
    let gzip = 0;
    for (const f of list) {
      raw += size(f).raw;
      gzip += size(f).gzip;
    }
    return { files: list, rawKiB: kib(raw), gzipKiB: kib(gzip) };
  };
  const root = build.rootMainFiles;
  const appDir = path.join(distDir, "server", "app");
  const pages: PageJs[] = [];
  let shell: string[] | undefined;
  for (const file of findManifests(appDir)) {
    const entry = `/${path.relative(appDir, path.dirname(file)).split(path.sep).join("/")}/page`.replace("//", "/");
    if (entry.startsWith("/_")) continue; // Next.js's own error pages
    const entries = readClientManifest(file).entryJSFiles ?? {};
    const files = [...root, ...Object.values(entries).flat()];
    pages.push({ route: routeOf(entry), entry, ...measure(files) });
    const layout = entries["[project]/app/(app)/layout"];
    if (layout && !shell) shell = [...root, ...(entries["[project]/app/layout"] ?? []), ...layout];
  }
  pages.sort((a, b) => a.route.localeCompare(b.route));
  const uses = new Map<string, number>();
  for (const p of pages) for (const f of p.files) uses.set(f, (uses.get(f) ?? 0) + 1);
  const largestChunks = [...uses.entries()]
    .map(([file, n]) => ({ file, rawKiB: kib(size(file).raw), gzipKiB: kib(size(file).gzip), pages: n }))
    .sort((a, b) => b.rawKiB - a.rawKiB)
    .slice(0, 12);
  return {
    pages,
    framework: measure(root),
    appShell: measure(shell ?? root),
    largestChunks,
  };
}
