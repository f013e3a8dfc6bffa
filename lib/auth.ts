import NextAuth, { CredentialsSignin, type NextAuthConfig } from "next-auth";
import Credentials from "next-auth/providers/credentials";
import { getDb } from "@/db";
import { authorizeCredentials, endSession, newSessionClaims, sessionStands } from "./account-security";
import { clientAddress } from "./client-address";
import { errorFields, log } from "./log";

class InvalidLogin extends CredentialsSignin {
  code = "invalid_credentials";
}

/** Refused by the sign-in throttle; `code` carries the seconds until it lifts (`throttled:<s>`). */
class ThrottledLogin extends CredentialsSignin {
  constructor(retryAfterSeconds: number) {
    super();
    this.code = `throttled:${retryAfterSeconds}`;
  }
}

/** The seconds a throttled sign-in must wait, read back from the error next-auth hands on; else null. */
export function throttledFor(err: unknown): number | null {
  const code = err instanceof CredentialsSignin ? err.code : null;
  const m = code?.match(/^throttled:(\d+)$/);
  return m ? Number(m[1]) : null;
}

/**
 * next-auth v5 with email + password. Sessions are JWTs that carry the user id, the session's own
 * id and the user's session version; every request checks the last two against the database (see
 * lib/account-security.ts), and what the user may do is read from the database on every request
 * too, so sign-out, a password change, removal or a revoked permission take effect at once.
 */
export const authConfig = {
  trustHost: true,
  session: { strategy: "jwt", maxAge: 30 * 24 * 3600 },
  pages: { signIn: "/sign-in" },
  logger: {
    // A wrong password is an expected outcome shown on the form, not a server error worth a stack trace.
    error(error) {
      if (error.name === "CredentialsSignin" || (error as { type?: string }).type === "CredentialsSignin") return;
      log.error({ component: "auth", ...errorFields(error) }, "sign-in error");
    },
  },
  providers: [
    Credentials({
      credentials: { email: { label: "Email" }, password: { label: "Password", type: "password" } },
      async authorize(raw, request) {
        const outcome = await authorizeCredentials(getDb(), raw, clientAddress(request.headers));
        if (outcome.ok)
          return {
            id: outcome.user.id,
            email: outcome.user.email,
            name: outcome.user.name,
            sessionVersion: outcome.user.sessionVersion,
          };
        throw outcome.reason === "throttled" ? new ThrottledLogin(outcome.retryAfterSeconds) : new InvalidLogin();
      },
    }),
  ],
  events: {
    // Sign-out (our action or a POST to /api/auth/signout) ends this session for good, not just its cookie.
    async signOut(message) {
      if ("token" in message && message.token) await endSession(getDb(), message.token);
    },
  },
  callbacks: {
    async jwt({ token, user }) {
      if (user?.id) {
        token.sub = user.id;
        Object.assign(token, newSessionClaims((user as { sessionVersion?: number }).sessionVersion ?? 0));
        return token;
      }
      // Every request: a session signed out, or issued before a password change, reset or removal, ends here.
      return (await sessionStands(getDb(), token)) ? token : null;
    },
    session({ session, token }) {
      if (token.sub) session.user.id = token.sub;
      return session;
    },
  },
} satisfies NextAuthConfig;

export const { handlers, auth, signIn, signOut } = NextAuth(authConfig);
