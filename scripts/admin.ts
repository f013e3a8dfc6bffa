/** `npm run admin -- …`: the operator's commands (see scripts/admin-commands.ts, or `npm run admin -- --help`). */
import { closeDb, getDb } from "@/db";
import { runAdmin } from "./admin-commands";
import { prepareRuntime } from "./runtime";

runAdmin(
  async () => {
    // The start's messages go to stderr: stdout carries only the command's answer.
    const runtime = await prepareRuntime({ log: (m) => console.error(`[hookrelay] ${m}`) });
    return {
      db: getDb(),
      close: async () => {
        await closeDb();
        await runtime.stop();
      },
    };
  },
  process.argv.slice(2),
  { out: (line) => console.log(line), err: (line) => console.error(line) },
)
  .then((code) => process.exit(code))
  .catch((err) => {
    console.error(err);
    process.exit(1);
  });
