import type { Metadata } from "next";
import { getDb } from "@/db";
import { listMembers, listPendingInvitations, listRoles } from "@/db/queries/companies";
import {
  InviteMemberDialog,
  MemberRoleSelect,
  RemoveMemberButton,
  RevokeInvitationButton,
  type RoleOption,
} from "@/components/settings/members";
import { Badge } from "@/components/ui/badge";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { can } from "@/lib/authz";
import { formatDate, formatDateTime, formatRelative } from "@/lib/format";
import { requireActor } from "@/lib/session";

export const metadata: Metadata = { title: "Members" };

/** Any member sees who is in the company; changing it takes the Manage Members permission. */
export default async function MembersPage() {
  const actor = await requireActor();
  const db = getDb();
  const [members, roles, invitations] = await Promise.all([
    listMembers(db, actor.companyId),
    listRoles(db, actor.companyId),
    listPendingInvitations(db, actor.companyId),
  ]);
  const canManage = can(actor, "members.manage");
  const actorIsOwner = actor.role.isOwner;
  const roleOptions: RoleOption[] = roles.map((r) => ({ id: r.id, name: r.name, isOwner: r.isOwner }));
  const now = Date.now();

  return (
    <div className="space-y-10">
      <section aria-labelledby="members-heading" className="space-y-4">
        <div className="flex flex-col gap-3 sm:flex-row sm:items-end sm:justify-between">
          <div className="space-y-1">
            <h2 id="members-heading" className="text-lg font-semibold">
              Members
            </h2>
            <p className="text-muted-foreground text-sm">
              {canManage
                ? "Everyone who works in this company, and the role that decides what they may do."
                : "Everyone who works in this company. Ask someone who manages members to change roles or invite people."}
            </p>
          </div>
          {canManage ? <InviteMemberDialog roles={roleOptions} actorIsOwner={actorIsOwner} /> : null}
        </div>
        <div className="rounded-xl border">
          <Table>
            <TableHeader>
              <TableRow>
                <TableHead>Name</TableHead>
                <TableHead>Email</TableHead>
                <TableHead>Role</TableHead>
                <TableHead>Joined</TableHead>
                {canManage ? (
                  <TableHead>
                    <span className="sr-only">Actions</span>
                  </TableHead>
                ) : null}
              </TableRow>
            </TableHeader>
            <TableBody>
              {members.map((m) => {
                const isYou = m.membershipId === actor.membershipId;
                return (
                  <TableRow key={m.membershipId}>
                    <TableCell className="font-medium">
                      <span className="flex items-center gap-2">
                        {m.name}
                        {isYou ? <Badge variant="secondary">You</Badge> : null}
                      </span>
                    </TableCell>
                    <TableCell className="text-muted-foreground">{m.email}</TableCell>
                    <TableCell>
                      {canManage ? (
                        <MemberRoleSelect
                          membershipId={m.membershipId}
                          memberName={m.name}
                          roleId={m.roleId}
                          roles={roleOptions}
                          memberIsOwner={m.isOwner}
                          actorIsOwner={actorIsOwner}
                        />
                      ) : (
                        <Badge variant={m.isOwner ? "default" : "outline"}>{m.roleName}</Badge>
                      )}
                    </TableCell>
                    <TableCell>
                      <time dateTime={m.joinedAt.toISOString()} title={formatDateTime(m.joinedAt)}>
                        {formatDate(m.joinedAt)}
                      </time>
                    </TableCell>
                    {canManage ? (
                      <TableCell className="text-right">
                        <RemoveMemberButton
                          membershipId={m.membershipId}
                          memberName={m.name}
                          isYou={isYou}
                          disabled={m.isOwner && !actorIsOwner}
                        />
                      </TableCell>
                    ) : null}
                  </TableRow>
                );
              })}
            </TableBody>
          </Table>
        </div>
      </section>

      <section aria-labelledby="invitations-heading" className="space-y-4">
        <div className="space-y-1">
          <h2 id="invitations-heading" className="text-lg font-semibold">
            Pending invitations
          </h2>
          <p className="text-muted-foreground text-sm">
            Invitations that have not been accepted yet. Each link works once and expires after 7 days.
          </p>
        </div>
        {invitations.length === 0 ? (
          <p className="text-muted-foreground rounded-xl border border-dashed px-4 py-6 text-center text-sm">
            No pending invitations.
          </p>
        ) : (
          <div className="rounded-xl border">
            <Table>
              <TableHeader>
                <TableRow>
                  <TableHead>Email</TableHead>
                  <TableHead>Role</TableHead>
                  <TableHead>Expires</TableHead>
                  {canManage ? (
                    <TableHead>
                      <span className="sr-only">Actions</span>
                    </TableHead>
                  ) : null}
                </TableRow>
              </TableHeader>
              <TableBody>
                {invitations.map((inv) => {
                  const expired = inv.expiresAt.getTime() <= now;
                  return (
                    <TableRow key={inv.id}>
                      <TableCell id={`invitation-${inv.id}-email`} className="font-medium">
                        {inv.email}
                      </TableCell>
                      <TableCell>{inv.roleName}</TableCell>
                      <TableCell>
                        {expired ? (
                          <Badge variant="outline" className="text-muted-foreground">
                            Expired
                          </Badge>
                        ) : (
                          <time dateTime={inv.expiresAt.toISOString()} title={formatDateTime(inv.expiresAt)}>
                            {formatRelative(inv.expiresAt, now)}
                          </time>
                        )}
                      </TableCell>
                      {canManage ? (
                        <TableCell className="text-right">
                          <RevokeInvitationButton
                            invitationId={inv.id}
                            email={inv.email}
                            describedBy={`invitation-${inv.id}-email`}
                          />
                        </TableCell>
                      ) : null}
                    </TableRow>
                  );
                })}
              </TableBody>
            </Table>
          </div>
        )}
      </section>
    </div>
  );
}
