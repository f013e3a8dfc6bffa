CREATE TABLE "company_event_types" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"company_id" uuid NOT NULL,
	"type" text NOT NULL,
	"label" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"module" text NOT NULL,
	"schema" jsonb,
	"sample" jsonb NOT NULL,
	"deprecated_at" timestamp with time zone,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "webhook_record_triggers" (
	"webhook_id" uuid NOT NULL,
	"record_id" text NOT NULL,
	"event_id" uuid,
	"held_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "webhook_record_triggers_webhook_id_record_id_pk" PRIMARY KEY("webhook_id","record_id")
);
--> statement-breakpoint
DROP INDEX "webhooks_match_idx";--> statement-breakpoint
ALTER TABLE "webhooks" ALTER COLUMN "event_type" DROP NOT NULL;--> statement-breakpoint
-- hand-written: a webhook listens to several event types; each existing one keeps its one type, in the column and in its config.
ALTER TABLE "webhooks" ADD COLUMN "event_types" text[];--> statement-breakpoint
UPDATE "webhooks" SET "event_types" = ARRAY["event_type"], "config" = ("config" - 'eventType') || jsonb_build_object('eventTypes', jsonb_build_array("event_type"));--> statement-breakpoint
ALTER TABLE "webhooks" ALTER COLUMN "event_types" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "company_event_types" ADD CONSTRAINT "company_event_types_company_id_companies_id_fk" FOREIGN KEY ("company_id") REFERENCES "public"."companies"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "company_event_types" ADD CONSTRAINT "company_event_types_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "webhook_record_triggers" ADD CONSTRAINT "webhook_record_triggers_webhook_id_webhooks_id_fk" FOREIGN KEY ("webhook_id") REFERENCES "public"."webhooks"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "company_event_types_key" ON "company_event_types" USING btree ("company_id","type");--> statement-breakpoint
CREATE INDEX "webhooks_match_idx" ON "webhooks" USING btree ("company_id") WHERE "webhooks"."active";