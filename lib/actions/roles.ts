import { and, eq } from "drizzle-orm";
import { memberships, roles } from "@/db/schema";
import { recordAudit } from "@/db/queries/companies";
import { ActionError, defineAction, ok } from "@/lib/action";
import { holdsAll } from "@/lib/authz";
import { createRoleSchema, roleIdSchema, setRolePermissionSchema } from "@/lib/validations/settings";

function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string; cause?: { code?: string } };
  return e?.code === "23505" || e?.cause?.code === "23505";
}

export const createRole = defineAction({
  name: "createRole",
  access: "roles.manage",
  schema: createRoleSchema,
  async handler({ db, actor }, input) {
    if (!holdsAll(actor, input.permissions)) {
      throw new ActionError("forbidden", "You can only grant permissions you hold", {
        permissions: ["Some of these permissions are not yours to grant"],
      });
    }
    try {
      const [role] = await db
        .insert(roles)
        .values({ companyId: actor.companyId, name: input.name, permissions: [...new Set(input.permissions)] })
        .returning();
      await recordAudit(db, {
        companyId: actor.companyId,
        actorUserId: actor.userId,
        action: "role.created",
        targetType: "role",
        targetId: role.id,
        details: { name: role.name },
      });
      return ok({ roleId: role.id }, `Role ${role.name} created`);
    } catch (err) {
      if (isUniqueViolation(err))
        throw new ActionError("conflict", "A role with this name exists", {
          name: ["A role with this name already exists"],
        });
      throw err;
    }
  },
});

/**
 * One cell of the role × permission matrix. The Owner role always holds everything, and nobody
 * but an owner edits the role they hold themselves (no granting yourself more).
 */
export const setRolePermission = defineAction({
  name: "setRolePermission",
  access: "roles.manage",
  schema: setRolePermissionSchema,
  async handler({ db, actor }, input) {
    return db.transaction(async (tx) => {
      const [role] = await tx
        .select()
        .from(roles)
        .where(and(eq(roles.companyId, actor.companyId), eq(roles.id, input.roleId)))
        .for("update");
      if (!role) throw new ActionError("not_found", "Role not found");
      if (role.isOwner) throw new ActionError("conflict", "The Owner role always holds every permission");
      if (role.id === actor.role.id && !actor.role.isOwner)
        throw new ActionError("forbidden", "You cannot change the permissions of your own role");
      if (input.granted && !holdsAll(actor, [input.permission]))
        throw new ActionError("forbidden", "You can only grant permissions you hold");
      if (!input.granted && !holdsAll(actor, [input.permission]))
        throw new ActionError("forbidden", "You can only revoke permissions you hold");
      // A role holding a permission the actor lacks is stronger than the actor: its members may not be weakened by
      // them.
      if (!holdsAll(actor, role.permissions))
        throw new ActionError("forbidden", "You cannot change a role that holds permissions you don't have");
      const next = new Set(role.permissions);
      if (input.granted) next.add(input.permission);
      else next.delete(input.permission);
      await tx
        .update(roles)
        .set({ permissions: [...next] })
        .where(eq(roles.id, role.id));
      await recordAudit(tx, {
        companyId: actor.companyId,
        actorUserId: actor.userId,
        action: input.granted ? "role.permission_granted" : "role.permission_revoked",
        targetType: "role",
        targetId: role.id,
        details: { role: role.name, permission: input.permission },
      });
      return ok({ permissions: [...next] });
    });
  },
});

export const deleteRole = defineAction({
  name: "deleteRole",
  access: "roles.manage",
  schema: roleIdSchema,
  async handler({ db, actor }, input) {
    try {
      return await db.transaction(async (tx) => {
        const [role] = await tx
          .select()
          .from(roles)
          .where(and(eq(roles.companyId, actor.companyId), eq(roles.id, input.roleId)))
          .for("update");
        if (!role) throw new ActionError("not_found", "Role not found");
        if (role.isOwner) throw new ActionError("conflict", "The Owner role cannot be deleted");
        if (!holdsAll(actor, role.permissions))
          throw new ActionError("forbidden", "You cannot delete a role that holds permissions you don't have");
        const holders = await tx
          .select({ id: memberships.id })
          .from(memberships)
          .where(eq(memberships.roleId, role.id))
          .limit(1);
        if (holders.length > 0)
          throw new ActionError("conflict", `Move the members of ${role.name} to another role first`);
        await tx.delete(roles).where(eq(roles.id, role.id));
        await recordAudit(tx, {
          companyId: actor.companyId,
          actorUserId: actor.userId,
          action: "role.deleted",
          targetType: "role",
          targetId: role.id,
          details: { name: role.name },
        });
        return ok(null, `Role ${role.name} deleted`);
      });
    } catch (err) {
      // Someone was given the role between the check and the delete.
      const e = err as { code?: string; cause?: { code?: string } };
      if (e?.code === "23503" || e?.cause?.code === "23503")
        throw new ActionError("conflict", "Someone was just given this role: move them to another role first");
      throw err;
    }
  },
});
