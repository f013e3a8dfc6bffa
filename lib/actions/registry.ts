import { acceptInvitation, signUp, switchCompany } from "./account";
import { createApiKey, revokeApiKey } from "./api-keys";
import { resendEmail, updateCompanySettings } from "./company";
import { listDeliveries, recoverWebhook, resendDelivery, retryFailedDeliveries } from "./deliveries";
import { sendTestEvent } from "./events";
import { createEventType, deleteEventType, deprecateEventType, listEventTypes, updateEventType } from "./event-types";
import { changeMemberRole, inviteMember, removeMember, revokeInvitation } from "./members";
import {
  createOAuthCredential,
  deleteOAuthCredential,
  startOAuthConnect,
  testOAuthCredential,
  updateOAuthCredential,
} from "./oauth-credentials";
import { createRole, deleteRole, setRolePermission } from "./roles";
import { getOAuthCredential, getWebhook, listOAuthCredentialsAction, listWebhooksAction } from "./webhook-reads";
import {
  createWebhook,
  deleteWebhook,
  duplicateWebhook,
  previewWebhookBody,
  rotateSigningSecret,
  setWebhookActive,
  testWebhookDraft,
  updateWebhook,
} from "./webhooks";

/**
 * Every action the app exposes. The authorization test walks this list: an action missing here
 * (or missing from the test's table) fails the build's tests.
 */
export const ACTIONS = {
  signUp,
  acceptInvitation,
  switchCompany,
  inviteMember,
  revokeInvitation,
  changeMemberRole,
  removeMember,
  createRole,
  setRolePermission,
  deleteRole,
  createApiKey,
  revokeApiKey,
  updateCompanySettings,
  resendEmail,
  createWebhook,
  updateWebhook,
  duplicateWebhook,
  setWebhookActive,
  rotateSigningSecret,
  testWebhookDraft,
  previewWebhookBody,
  deleteWebhook,
  createOAuthCredential,
  updateOAuthCredential,
  testOAuthCredential,
  deleteOAuthCredential,
  startOAuthConnect,
  listWebhooksAction,
  getWebhook,
  listOAuthCredentialsAction,
  getOAuthCredential,
  listDeliveries,
  resendDelivery,
  retryFailedDeliveries,
  recoverWebhook,
  sendTestEvent,
  listEventTypes,
  createEventType,
  updateEventType,
  deprecateEventType,
  deleteEventType,
} as const;

export type ActionName = keyof typeof ACTIONS;
