import NextAuth, { CredentialsSignin } from "next-auth";
import Credentials from "next-auth/providers/credentials";
import { getDb } from "@/db";
import { findUserByEmail } from "@/db/queries/companies";
import { hashPassword, verifyPassword } from "./passwords";
import { signInSchema } from "./validations/auth";

let dummy: Promise<string> | null = null;
const dummyHash = () => (dummy ??= hashPassword("not-a-real-password-0"));

class InvalidLogin extends CredentialsSignin {
  code = "invalid_credentials";
}

/**
 * next-auth v5 with email + password. Sessions are JWTs that carry only the user id: what the user
 * may do is read from the database on every request, so revoking a permission takes effect at once.
 */
export const { handlers, auth, signIn, signOut } = NextAuth({
  trustHost: true,
  session: { strategy: "jwt", maxAge: 30 * 24 * 3600 },
  pages: { signIn: "/sign-in" },
  logger: {
    // A wrong password is an expected outcome shown on the form, not a server error worth a stack trace.
    error(error) {
      if (error.name === "CredentialsSignin" || (error as { type?: string }).type === "CredentialsSignin") return;
      console.error("[auth]", error);
    },
  },
  providers: [
    Credentials({
      credentials: { email: { label: "Email" }, password: { label: "Password", type: "password" } },
      async authorize(raw) {
        const parsed = signInSchema.safeParse(raw);
        if (!parsed.success) throw new InvalidLogin();
        const user = await findUserByEmail(getDb(), parsed.data.email);
        // Compare against a dummy hash (at the configured cost) when the user is unknown, so timing
        // does not reveal which emails have accounts.
        const hash = user?.passwordHash ?? (await dummyHash());
        const valid = await verifyPassword(parsed.data.password, hash);
        if (!user || !valid) throw new InvalidLogin();
        return { id: user.id, email: user.email, name: user.name };
      },
    }),
  ],
  callbacks: {
    jwt({ token, user }) {
      if (user?.id) token.sub = user.id;
      return token;
    },
    session({ session, token }) {
      if (token.sub) session.user.id = token.sub;
      return session;
    },
  },
});
