/**
 * The webhook's home: its secrets (what is encrypted, what is saved, how a form's blanks resolve),
 * its signing secrets, and the mapping between its validated configuration and its row. Reads and
 * writes of the row itself are in db/queries/webhooks.ts; the request it makes is lib/delivery's.
 */
export * from "./secrets";
export * from "./signing";
export * from "./row";
