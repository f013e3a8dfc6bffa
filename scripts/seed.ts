/** `npm run seed`: the demo company (see db/seed.ts). Safe to run more than once. */
import { closeDb, getDb } from "@/db";
import { seedDemo, DEMO } from "@/db/seed";
import { generateApiKey } from "@/lib/api-auth";
import { seedDemoWebhooks } from "@/lib/demo-webhooks";
import { hashPassword } from "@/lib/passwords";
import { DEFAULT_ROLES } from "@/lib/permissions";
import { prepareRuntime } from "./runtime";

async function main() {
  const runtime = await prepareRuntime();
  try {
    const result = await seedDemo(getDb(), {
      hashPassword,
      generateApiKey,
      defaultRoles: DEFAULT_ROLES,
      seedWebhooks: seedDemoWebhooks,
    });
    console.log(result.created ? "Demo company created." : "Demo company already there: nothing duplicated.");
    console.log(`  owner:  ${DEMO.owner.email} / ${DEMO.owner.password}`);
    console.log(`  member: ${DEMO.member.email} / ${DEMO.member.password} (no Manage Webhooks)`);
    if (result.webhooks)
      console.log(`  ${result.webhooks} demo webhooks with history (their .invalid addresses are never called)`);
    if (result.apiKey) console.log(`  API key (shown once): ${result.apiKey}`);
    else console.log("  API key: one exists already (create another in Settings → API keys).");
  } finally {
    await closeDb();
    await runtime.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
