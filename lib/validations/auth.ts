import { z } from "zod";
import { singleLine } from "./text";

export const emailSchema = z
  .string({ error: "Email is required" })
  .trim()
  .min(1, "Email is required")
  .max(254, "Email is too long")
  .pipe(z.email("Enter a valid email address"))
  .transform((v) => v.toLowerCase());

/** What bcrypt hashes of a password; beyond it, bytes are ignored. */
export const MAX_PASSWORD_BYTES = 72;

/** Weak passwords are refused with a message that says what is missing. */
export const passwordSchema = z
  .string({ error: "Password is required" })
  .min(10, "Use at least 10 characters")
  .max(200, "Use at most 200 characters")
  .refine((v) => /[a-zA-Z]/.test(v) && /[^a-zA-Z]/.test(v), "Mix letters with digits or symbols")
  .refine((v) => !/^(.)\1+$/.test(v), "Don't repeat a single character")
  // bcrypt reads only the first 72 bytes: a longer password would be cut short without a word.
  .refine(
    (v) => new TextEncoder().encode(v).length <= MAX_PASSWORD_BYTES,
    `Use at most ${MAX_PASSWORD_BYTES} bytes (about 72 letters; fewer with accents or emoji): longer passwords are cut short by the hashing`,
  );

export const nameSchema = singleLine(
  z.string({ error: "Name is required" }).trim().min(1, "Name is required").max(100, "Use at most 100 characters"),
  "Name",
);

export const signUpSchema = z.object({
  name: nameSchema,
  email: emailSchema,
  password: passwordSchema,
  companyName: singleLine(
    z
      .string({ error: "Company name is required" })
      .trim()
      .min(1, "Company name is required")
      .max(100, "Use at most 100 characters"),
    "Company name",
  ),
});
export type SignUpInput = z.input<typeof signUpSchema>;

export const signInSchema = z.object({
  email: emailSchema,
  password: z.string({ error: "Password is required" }).min(1, "Password is required").max(200),
});
export type SignInInput = z.input<typeof signInSchema>;

export const acceptInvitationSchema = z.object({
  token: z.string().min(10, "The invitation link is incomplete").max(200),
  name: nameSchema,
  password: passwordSchema,
});
export type AcceptInvitationInput = z.input<typeof acceptInvitationSchema>;

export const forgotPasswordSchema = z.object({ email: emailSchema });
export type ForgotPasswordInput = z.input<typeof forgotPasswordSchema>;

export const resetPasswordSchema = z.object({
  token: z.string().min(10, "The reset link is incomplete").max(200),
  password: passwordSchema,
});
export type ResetPasswordInput = z.input<typeof resetPasswordSchema>;

export const changePasswordSchema = z
  .object({
    currentPassword: z.string({ error: "Enter your current password" }).min(1, "Enter your current password").max(200),
    newPassword: passwordSchema,
  })
  .refine((v) => v.currentPassword !== v.newPassword, {
    path: ["newPassword"],
    message: "Choose a password different from the current one",
  });
export type ChangePasswordInput = z.input<typeof changePasswordSchema>;
