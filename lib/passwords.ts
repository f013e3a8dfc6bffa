import bcrypt from "bcryptjs";

/** bcrypt (pure JS: nothing to compile on a fresh machine), cost 11 ≈ 100 ms on this class of machine. */
const COST = Number(process.env.BCRYPT_COST ?? 11);

export function hashPassword(password: string): Promise<string> {
  return bcrypt.hash(password, COST);
}

export function verifyPassword(password: string, hash: string): Promise<boolean> {
  return bcrypt.compare(password, hash);
}
