import type { TestProject } from "vitest/node";
import { generateSecretKey } from "@/lib/crypto";
import { startTestDatabase } from "./test-db";

declare module "vitest" {
  export interface ProvidedContext {
    databaseUrl: string;
    secretKey: string;
  }
}

export default async function setup(project: TestProject) {
  const db = await startTestDatabase();
  project.provide("databaseUrl", db.url);
  project.provide("secretKey", generateSecretKey());
  return async () => {
    await db.stop();
  };
}
