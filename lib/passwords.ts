import bcrypt from "bcryptjs";
import { env } from "./env";

/** bcrypt (pure JS: nothing to compile on a fresh machine), cost 11 ≈ 100 ms on this class of machine (BCRYPT_COST). */
export function hashPassword(password: string): Promise<string> {
  return bcrypt.hash(password, env.BCRYPT_COST);
}

export function verifyPassword(password: string, hash: string): Promise<boolean> {
  return bcrypt.compare(password, hash);
}
