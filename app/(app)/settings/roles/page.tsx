import type { Metadata } from "next";
import { getDb } from "@/db";
import { listRoles } from "@/db/queries/companies";
import { DeleteRoleButton, NewRoleDialog, PermissionCell } from "@/components/settings/roles";
import { Checkbox } from "@/components/ui/checkbox";
import { Table, TableBody, TableCaption, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { can } from "@/lib/authz";
import { includedBy, PERMISSIONS, permissionLabel, type Permission } from "@/lib/permissions";
import { requireActor } from "@/lib/session";

export const metadata: Metadata = { title: "Roles & permissions" };

/** "Manage Webhooks" when the role holds it and it includes `permission` (View Webhooks); else null. */
function includedLabel(held: string[], permission: Permission): string | null {
  const by = includedBy(held, permission);
  return by ? permissionLabel(by) : null;
}

/**
 * The role × permission matrix. Every member may read it; ticking boxes takes Manage Roles, and
 * the server refuses changes to the Owner role and (for non-owners) to one's own role.
 */
export default async function RolesPage() {
  const actor = await requireActor();
  const roles = await listRoles(getDb(), actor.companyId);
  const canManage = can(actor, "roles.manage");

  return (
    <section aria-labelledby="roles-heading" className="space-y-4">
      <div className="flex flex-col gap-3 sm:flex-row sm:items-end sm:justify-between">
        <div className="space-y-1">
          <h2 id="roles-heading" className="text-lg font-semibold">
            Roles &amp; permissions
          </h2>
          <p className="text-muted-foreground text-sm">
            {canManage
              ? "Tick a box to let a role do something; changes apply immediately to everyone holding the role."
              : "What each role may do. Changing this takes the Manage Roles permission."}
          </p>
        </div>
        {canManage ? <NewRoleDialog /> : null}
      </div>

      <div className="rounded-xl border">
        <Table>
          <TableCaption className="px-4 pb-4 text-left">
            Owners always hold every permission. Manage Webhooks includes View Webhooks.
          </TableCaption>
          <TableHeader>
            <TableRow>
              <TableHead className="min-w-64 align-bottom">Permission</TableHead>
              {roles.map((role) => {
                const ownRole = role.id === actor.role.id && !actor.role.isOwner;
                return (
                  <TableHead
                    key={role.id}
                    scope="col"
                    className="h-auto min-w-36 py-3 text-center align-bottom whitespace-normal"
                  >
                    <div className="flex flex-col items-center gap-0.5">
                      <span className="text-foreground flex items-center gap-1 font-semibold">
                        {role.name}
                        {canManage && !role.isOwner ? (
                          <DeleteRoleButton roleId={role.id} roleName={role.name} memberCount={role.members} />
                        ) : null}
                      </span>
                      <span className="text-muted-foreground text-xs font-normal">
                        {role.members} {role.members === 1 ? "member" : "members"}
                      </span>
                      {role.isOwner ? (
                        <span className="text-muted-foreground text-xs font-normal">
                          Owners always hold every permission
                        </span>
                      ) : ownRole && canManage ? (
                        <span className="text-muted-foreground text-xs font-normal">
                          Your own role: only an owner changes it
                        </span>
                      ) : null}
                    </div>
                  </TableHead>
                );
              })}
            </TableRow>
          </TableHeader>
          <TableBody>
            {PERMISSIONS.map((permission) => (
              <TableRow key={permission.key}>
                <TableCell className="align-top whitespace-normal">
                  <div className="font-medium">{permission.label}</div>
                  <div className="text-muted-foreground text-xs">{permission.description}</div>
                </TableCell>
                {roles.map((role) => (
                  <TableCell key={role.id} className="text-center">
                    <div className="flex justify-center">
                      {role.isOwner ? (
                        <Checkbox
                          checked
                          disabled
                          aria-label={`${role.name} — ${permission.label}`}
                          title="Owners always hold every permission"
                        />
                      ) : (
                        <PermissionCell
                          roleId={role.id}
                          roleName={role.name}
                          permission={permission.key}
                          permissionLabel={permission.label}
                          granted={role.permissions.includes(permission.key)}
                          includedIn={includedLabel(role.permissions, permission.key)}
                          disabled={!canManage || (role.id === actor.role.id && !actor.role.isOwner)}
                        />
                      )}
                    </div>
                  </TableCell>
                ))}
              </TableRow>
            ))}
          </TableBody>
        </Table>
      </div>
    </section>
  );
}
