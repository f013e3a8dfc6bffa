-- hand-written: the whole migration (issue 17, partitioned history). drizzle-kit does not model partitioning;
-- db/schema.ts describes the columns, keys and indexes as this leaves them (so `drizzle-kit generate` sees no change).
--
-- events, deliveries and delivery_attempts become range-partitioned by UTC day: events and deliveries on created_at,
-- attempts on their delivery's created_at (new column delivery_created_at), so a delivery and its attempts live in,
-- and are dropped with, one day. Each table has a DEFAULT partition as a safety net (an insert never fails for a
-- missing day); the maintenance job (jobs/partitions.ts) moves any row out of it into its day. Existing rows keep
-- their ids; new ids are UUIDv7 made from the row's own created_at.

-- hand-written: a UUIDv7 whose 48-bit millisecond prefix is `ts` (PostgreSQL 17 has no uuidv7()): a random v4 with
-- its first 6 bytes replaced and its version nibble turned from 4 into 7.
CREATE OR REPLACE FUNCTION hookrelay_uuid_v7(ts timestamptz) RETURNS uuid LANGUAGE sql VOLATILE PARALLEL SAFE AS $$
  SELECT encode(set_bit(set_bit(overlay(uuid_send(gen_random_uuid())
    PLACING substring(int8send(floor(extract(epoch FROM ts) * 1000)::bigint) FROM 3) FROM 1 FOR 6), 52, 1), 53, 1),
    'hex')::uuid
$$;--> statement-breakpoint
-- hand-written: the millisecond prefix of a v7 id (null for any other version: the legacy v4 ids).
-- These helpers are plain IMMUTABLE SQL expressions (not STRICT, nothing timezone-dependent) so that PostgreSQL inlines
-- them into the statements and the CHECKs that use them: called as functions, they cost ~50 µs a row (issue 17 bench).
CREATE OR REPLACE FUNCTION hookrelay_id_ms(id uuid) RETURNS bigint LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN substr(id::text, 15, 1) = '7'
    THEN ('x' || substr(replace(id::text, '-', ''), 1, 12))::bit(48)::bigint END
$$;--> statement-breakpoint
-- hand-written: the CHECK of events and deliveries: a v7 id carries its row's created_at (to the millisecond).
CREATE OR REPLACE FUNCTION hookrelay_id_matches(id uuid, created_at timestamptz) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT hookrelay_id_ms(id) IS NULL
    OR hookrelay_id_ms(id) = floor(extract(epoch FROM (created_at - '1970-01-01 00:00:00+00'::timestamptz)) * 1000)::bigint
$$;--> statement-breakpoint
-- hand-written: the lower bound of created_at a row with this id can have (-infinity for a legacy id), and the upper
-- one (exclusive, +infinity for a legacy id): `created_at >= lo AND created_at < hi` prunes to one partition.
CREATE OR REPLACE FUNCTION hookrelay_id_lo(id uuid) RETURNS timestamptz LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT coalesce(to_timestamp(hookrelay_id_ms(id)::float8 / 1000), '-infinity'::timestamptz)
$$;--> statement-breakpoint
CREATE OR REPLACE FUNCTION hookrelay_id_hi(id uuid) RETURNS timestamptz LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT coalesce(to_timestamp((hookrelay_id_ms(id) + 1)::float8 / 1000), 'infinity'::timestamptz)
$$;--> statement-breakpoint
-- hand-written: creates `<parent>_pYYYYMMDD` for one UTC day unless it exists, moving that day's rows out of the
-- DEFAULT partition first (PostgreSQL refuses a partition whose range the DEFAULT partition holds rows of). Built
-- as a plain table then ATTACHed: ATTACH takes only SHARE UPDATE EXCLUSIVE on the parent (reads and inserts go on);
-- the DEFAULT partition is locked for the move. Returns whether it created the partition.
CREATE OR REPLACE FUNCTION hookrelay_create_partition(parent text, key text, day date) RETURNS boolean
LANGUAGE plpgsql AS $$
DECLARE
  part text := parent || '_p' || to_char(day, 'YYYYMMDD');
  lo timestamptz := day::timestamp AT TIME ZONE 'UTC';
  hi timestamptz := (day + 1)::timestamp AT TIME ZONE 'UTC';
  def text := parent || '_default';
BEGIN
  IF to_regclass(quote_ident(part)) IS NOT NULL THEN
    RETURN false;
  END IF;
  EXECUTE format('CREATE TABLE %I (LIKE %I INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING STORAGE)', part, parent);
  -- The partition's range as a CHECK, so ATTACH need not scan the table to prove it.
  EXECUTE format('ALTER TABLE %I ADD CONSTRAINT %I CHECK (%I >= %L AND %I < %L)', part, part || '_range', key, lo, key, hi);
  IF to_regclass(quote_ident(def)) IS NOT NULL THEN
    EXECUTE format('LOCK TABLE %I IN ACCESS EXCLUSIVE MODE', def);
    EXECUTE format('WITH moved AS (DELETE FROM %I WHERE %I >= %L AND %I < %L RETURNING *) INSERT INTO %I SELECT * FROM moved',
      def, key, lo, key, hi, part);
  END IF;
  EXECUTE format('ALTER TABLE %I ATTACH PARTITION %I FOR VALUES FROM (%L) TO (%L)', parent, part, lo, hi);
  EXECUTE format('ALTER TABLE %I DROP CONSTRAINT %I', part, part || '_range');
  RETURN true;
END $$;--> statement-breakpoint
-- hand-written: the three tables' partitions of every day from `first_day` to `last_day` (inclusive); returns how
-- many were created.
CREATE OR REPLACE FUNCTION hookrelay_ensure_partitions(first_day date, last_day date) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
  d date;
  n integer := 0;
BEGIN
  FOR d IN SELECT generate_series(first_day, last_day, interval '1 day')::date LOOP
    IF hookrelay_create_partition('events', 'created_at', d) THEN n := n + 1; END IF;
    IF hookrelay_create_partition('deliveries', 'created_at', d) THEN n := n + 1; END IF;
    IF hookrelay_create_partition('delivery_attempts', 'delivery_created_at', d) THEN n := n + 1; END IF;
  END LOOP;
  RETURN n;
END $$;--> statement-breakpoint
-- hand-written: the old tables step aside (their constraints and indexes too: the new ones take their names).
DO $$
DECLARE r record;
BEGIN
  FOR r IN SELECT c.conname, c.conrelid::regclass::text AS tbl FROM pg_constraint c
    WHERE c.conrelid IN ('events'::regclass, 'deliveries'::regclass, 'delivery_attempts'::regclass) LOOP
    EXECUTE format('ALTER TABLE %I RENAME CONSTRAINT %I TO %I', r.tbl, r.conname, r.conname || '_old');
  END LOOP;
  FOR r IN SELECT i.indexrelid::regclass::text AS idx FROM pg_index i
    WHERE i.indrelid IN ('events'::regclass, 'deliveries'::regclass, 'delivery_attempts'::regclass)
      AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid) LOOP
    EXECUTE format('ALTER INDEX %I RENAME TO %I', r.idx, r.idx || '_old');
  END LOOP;
END $$;--> statement-breakpoint
ALTER TABLE "events" RENAME TO "events_old";--> statement-breakpoint
ALTER TABLE "deliveries" RENAME TO "deliveries_old";--> statement-breakpoint
ALTER TABLE "delivery_attempts" RENAME TO "delivery_attempts_old";--> statement-breakpoint
CREATE TABLE "events" (
	"id" uuid DEFAULT hookrelay_uuid_v7(now()) NOT NULL,
	"company_id" uuid NOT NULL,
	"external_id" text NOT NULL,
	"type" text NOT NULL,
	"record_id" text,
	"occurred_at" timestamp with time zone NOT NULL,
	"data" jsonb NOT NULL,
	"previous" jsonb,
	"owner" jsonb,
	"api_key_id" uuid,
	"sent_by" uuid,
	"is_test" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "events_id_v7_check" CHECK (hookrelay_id_matches("id", "created_at"))
) PARTITION BY RANGE ("created_at");--> statement-breakpoint
CREATE TABLE "deliveries" (
	"id" uuid DEFAULT hookrelay_uuid_v7(now()) NOT NULL,
	"company_id" uuid NOT NULL,
	"webhook_id" uuid NOT NULL,
	"event_id" uuid NOT NULL,
	"status" text DEFAULT 'queued' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"next_attempt_at" timestamp with time zone,
	"last_status_code" integer,
	"last_error" text,
	"last_duration_ms" integer,
	"batch_key" text,
	"deferred_reason" text,
	"completed_at" timestamp with time zone,
	"in_hand_by" text[] DEFAULT '{}'::text[] NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "deliveries_id_v7_check" CHECK (hookrelay_id_matches("id", "created_at"))
) PARTITION BY RANGE ("created_at");--> statement-breakpoint
CREATE TABLE "delivery_attempts" (
	"id" bigint DEFAULT nextval('delivery_attempts_id_seq'::regclass) NOT NULL,
	"delivery_id" uuid NOT NULL,
	"delivery_created_at" timestamp with time zone NOT NULL,
	"company_id" uuid NOT NULL,
	"webhook_id" uuid NOT NULL,
	"attempt_number" integer NOT NULL,
	"trigger" text DEFAULT 'auto' NOT NULL,
	"triggered_by" uuid,
	"request_method" text NOT NULL,
	"request_url" text NOT NULL,
	"request_headers" jsonb NOT NULL,
	"request_body" text,
	"response_status" integer,
	"response_headers" jsonb,
	"response_body" text,
	"duration_ms" integer,
	"error_kind" text,
	"error_message" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
) PARTITION BY RANGE ("delivery_created_at");--> statement-breakpoint
ALTER SEQUENCE "delivery_attempts_id_seq" OWNED BY "delivery_attempts"."id";--> statement-breakpoint
CREATE TABLE "events_default" PARTITION OF "events" DEFAULT;--> statement-breakpoint
CREATE TABLE "deliveries_default" PARTITION OF "deliveries" DEFAULT;--> statement-breakpoint
CREATE TABLE "delivery_attempts_default" PARTITION OF "delivery_attempts" DEFAULT;--> statement-breakpoint
-- hand-written: a partition for every day of the existing history, from its oldest day, through today + 14 days.
SELECT hookrelay_ensure_partitions(
  (least(
    (SELECT min(created_at) FROM "events_old"),
    (SELECT min(created_at) FROM "deliveries_old"),
    now()
  ) AT TIME ZONE 'UTC')::date,
  ((now() AT TIME ZONE 'UTC') + interval '14 days')::date
);--> statement-breakpoint
INSERT INTO "events" SELECT "id", "company_id", "external_id", "type", "record_id", "occurred_at", "data", "previous",
  "owner", "api_key_id", "sent_by", "is_test", "created_at" FROM "events_old";--> statement-breakpoint
INSERT INTO "deliveries" SELECT "id", "company_id", "webhook_id", "event_id", "status", "attempts", "next_attempt_at",
  "last_status_code", "last_error", "last_duration_ms", "batch_key", "deferred_reason", "completed_at", "in_hand_by",
  "created_at" FROM "deliveries_old";--> statement-breakpoint
INSERT INTO "delivery_attempts" SELECT a."id", a."delivery_id", d."created_at", a."company_id", d."webhook_id",
  a."attempt_number", a."trigger", a."triggered_by", a."request_method", a."request_url", a."request_headers",
  a."request_body", a."response_status", a."response_headers", a."response_body", a."duration_ms", a."error_kind",
  a."error_message", a."created_at"
  FROM "delivery_attempts_old" a JOIN "deliveries_old" d ON d."id" = a."delivery_id";--> statement-breakpoint
CREATE TABLE "event_keys" (
	"company_id" uuid NOT NULL,
	"external_id" text NOT NULL,
	"event_id" uuid NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "event_keys_company_id_external_id_pk" PRIMARY KEY("company_id","external_id")
);--> statement-breakpoint
INSERT INTO "event_keys" ("company_id", "external_id", "event_id", "created_at")
  SELECT "company_id", "external_id", "id", "created_at" FROM "events_old";--> statement-breakpoint
DROP TABLE "delivery_attempts_old";--> statement-breakpoint
DROP TABLE "deliveries_old";--> statement-breakpoint
DROP TABLE "events_old";--> statement-breakpoint
-- hand-written: keys and indexes, declared on the parents (PostgreSQL makes them on every partition, and on every
-- partition attached later).
ALTER TABLE "events" ADD CONSTRAINT "events_id_created_at_pk" PRIMARY KEY("id","created_at");--> statement-breakpoint
ALTER TABLE "deliveries" ADD CONSTRAINT "deliveries_id_created_at_pk" PRIMARY KEY("id","created_at");--> statement-breakpoint
ALTER TABLE "delivery_attempts" ADD CONSTRAINT "delivery_attempts_id_delivery_created_at_pk" PRIMARY KEY("id","delivery_created_at");--> statement-breakpoint
ALTER TABLE "events" ADD CONSTRAINT "events_company_id_companies_id_fk" FOREIGN KEY ("company_id") REFERENCES "public"."companies"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "events" ADD CONSTRAINT "events_api_key_id_api_keys_id_fk" FOREIGN KEY ("api_key_id") REFERENCES "public"."api_keys"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "events" ADD CONSTRAINT "events_sent_by_users_id_fk" FOREIGN KEY ("sent_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "deliveries" ADD CONSTRAINT "deliveries_company_id_companies_id_fk" FOREIGN KEY ("company_id") REFERENCES "public"."companies"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "deliveries" ADD CONSTRAINT "deliveries_webhook_id_webhooks_id_fk" FOREIGN KEY ("webhook_id") REFERENCES "public"."webhooks"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "delivery_attempts" ADD CONSTRAINT "delivery_attempts_webhook_id_webhooks_id_fk" FOREIGN KEY ("webhook_id") REFERENCES "public"."webhooks"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "event_keys" ADD CONSTRAINT "event_keys_company_id_companies_id_fk" FOREIGN KEY ("company_id") REFERENCES "public"."companies"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "events_company_created_idx" ON "events" USING btree ("company_id","created_at");--> statement-breakpoint
CREATE INDEX "deliveries_webhook_created_idx" ON "deliveries" USING btree ("webhook_id","created_at","id");--> statement-breakpoint
CREATE INDEX "deliveries_webhook_status_created_idx" ON "deliveries" USING btree ("webhook_id","status","created_at","id");--> statement-breakpoint
CREATE INDEX "deliveries_event_idx" ON "deliveries" USING btree ("event_id");--> statement-breakpoint
CREATE INDEX "deliveries_company_created_idx" ON "deliveries" USING btree ("company_id","created_at","status");--> statement-breakpoint
CREATE INDEX "deliveries_batch_idx" ON "deliveries" USING btree ("webhook_id","batch_key") WHERE "deliveries"."batch_key" is not null;--> statement-breakpoint
CREATE INDEX "delivery_attempts_delivery_idx" ON "delivery_attempts" USING btree ("delivery_id","attempt_number");--> statement-breakpoint
CREATE INDEX "delivery_attempts_company_created_idx" ON "delivery_attempts" USING btree ("company_id","created_at");--> statement-breakpoint
CREATE INDEX "delivery_attempts_webhook_idx" ON "delivery_attempts" USING btree ("webhook_id");--> statement-breakpoint
CREATE INDEX "event_keys_company_created_idx" ON "event_keys" USING btree ("company_id","created_at");--> statement-breakpoint
ANALYZE "events", "deliveries", "delivery_attempts", "event_keys";
