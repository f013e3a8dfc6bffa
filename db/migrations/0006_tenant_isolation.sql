CREATE TABLE "event_rate_windows" (
	"company_id" uuid PRIMARY KEY NOT NULL,
	"second" bigint NOT NULL,
	"count" integer NOT NULL
);
--> statement-breakpoint
ALTER TABLE "companies" ADD COLUMN "webhook_limit" integer DEFAULT 100 NOT NULL;--> statement-breakpoint
ALTER TABLE "deliveries" ADD COLUMN "in_hand_by" text[] DEFAULT '{}'::text[] NOT NULL;--> statement-breakpoint
ALTER TABLE "event_rate_windows" ADD CONSTRAINT "event_rate_windows_company_id_companies_id_fk" FOREIGN KEY ("company_id") REFERENCES "public"."companies"("id") ON DELETE cascade ON UPDATE no action;