"use server";

import { AuthError } from "next-auth";
import { cookies, headers } from "next/headers";
import { throttledMessage } from "@/lib/account-security";
import { acceptInvitation, requestPasswordReset, resetPassword, signUp } from "@/lib/actions/account";
import type { ActionResult } from "@/lib/action";
import { signIn, signOut, throttledFor } from "@/lib/auth";
import { clientAddress } from "@/lib/client-address";
import { actionDeps, COMPANY_COOKIE } from "@/lib/session";
import type {
  AcceptInvitationInput,
  ForgotPasswordInput,
  ResetPasswordInput,
  SignInInput,
  SignUpInput,
} from "@/lib/validations/auth";
import { signInSchema } from "@/lib/validations/auth";

/** Signs in with next-auth; a wrong email or password comes back as a form error, not an exception. */
async function signInWith(email: string, password: string): Promise<ActionResult<null>> {
  try {
    await signIn("credentials", { email, password, redirect: false });
    return { ok: true, data: null };
  } catch (err) {
    const retryAfter = throttledFor(err);
    if (retryAfter !== null) {
      const message = throttledMessage(retryAfter);
      return { ok: false, code: "invalid", error: message, fieldErrors: { password: [message] } };
    }
    if (err instanceof AuthError) {
      return {
        ok: false,
        code: "invalid",
        error: "Wrong email or password",
        fieldErrors: { password: ["Wrong email or password"] },
      };
    }
    throw err;
  }
}

export async function signInAction(input: SignInInput): Promise<ActionResult<null>> {
  const parsed = signInSchema.safeParse(input);
  if (!parsed.success) return { ok: false, code: "invalid", error: "Enter your email and password" };
  return signInWith(parsed.data.email, parsed.data.password);
}

export async function signUpAction(input: SignUpInput): Promise<ActionResult<null>> {
  const result = await signUp.run(actionDeps(), { userId: null }, input);
  if (!result.ok) return result;
  (await cookies()).set(COMPANY_COOKIE, result.data.companyId, { httpOnly: true, sameSite: "lax", path: "/" });
  return signInWith(String(input.email).trim().toLowerCase(), input.password);
}

export async function acceptInvitationAction(input: AcceptInvitationInput): Promise<ActionResult<null>> {
  const result = await acceptInvitation.run(actionDeps(), { userId: null }, input);
  if (!result.ok) return result;
  (await cookies()).set(COMPANY_COOKIE, result.data.companyId, { httpOnly: true, sameSite: "lax", path: "/" });
  return signInWith(result.data.email, input.password);
}

/** "Forgot password?": always the same answer (see requestPasswordReset). */
export async function forgotPasswordAction(input: ForgotPasswordInput): Promise<ActionResult<null>> {
  return requestPasswordReset(actionDeps(), input, clientAddress(await headers()));
}

/** A new password from a reset link; then signed in with it (every older session has ended). */
export async function resetPasswordAction(input: ResetPasswordInput): Promise<ActionResult<null>> {
  const result = await resetPassword.run(actionDeps(), { userId: null }, input);
  if (!result.ok) return result;
  return signInWith(result.data.email, input.password);
}

export async function signOutAction(): Promise<void> {
  (await cookies()).delete(COMPANY_COOKIE);
  await signOut({ redirectTo: "/sign-in" });
}
