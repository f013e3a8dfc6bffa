import { and, eq, isNull } from "drizzle-orm";
import { apiKeys } from "@/db/schema";
import { recordAudit } from "@/db/queries/companies";
import { ActionError, defineAction, ok } from "@/lib/action";
import { forgetApiKey, generateApiKey } from "@/lib/api-auth";
import { apiKeyIdSchema, createApiKeySchema } from "@/lib/validations/settings";

/** The key is returned once, here; only its SHA-256 and a short prefix are stored. */
export const createApiKey = defineAction({
  name: "createApiKey",
  access: "apiKeys.manage",
  schema: createApiKeySchema,
  async handler({ db, actor }, input) {
    const key = generateApiKey();
    const [row] = await db
      .insert(apiKeys)
      .values({
        companyId: actor.companyId,
        name: input.name,
        prefix: key.prefix,
        hash: key.hash,
        createdBy: actor.userId,
      })
      .returning({ id: apiKeys.id });
    await recordAudit(db, {
      companyId: actor.companyId,
      actorUserId: actor.userId,
      action: "api_key.created",
      targetType: "api_key",
      targetId: row.id,
      details: { name: input.name, prefix: key.prefix },
    });
    return ok(
      { apiKeyId: row.id, key: key.plaintext, prefix: key.prefix },
      "API key created — copy it now, it is shown only once",
    );
  },
});

export const revokeApiKey = defineAction({
  name: "revokeApiKey",
  access: "apiKeys.manage",
  schema: apiKeyIdSchema,
  async handler({ db, actor }, input) {
    const rows = await db
      .update(apiKeys)
      .set({ revokedAt: new Date() })
      .where(and(eq(apiKeys.companyId, actor.companyId), eq(apiKeys.id, input.apiKeyId), isNull(apiKeys.revokedAt)))
      .returning({ id: apiKeys.id, name: apiKeys.name });
    if (rows.length === 0) throw new ActionError("not_found", "API key not found");
    forgetApiKey(rows[0].id);
    await recordAudit(db, {
      companyId: actor.companyId,
      actorUserId: actor.userId,
      action: "api_key.revoked",
      targetType: "api_key",
      targetId: rows[0].id,
    });
    return ok(null, `API key ${rows[0].name} revoked`);
  },
});
