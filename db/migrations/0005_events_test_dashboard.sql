ALTER TABLE "events" ADD COLUMN "sent_by" uuid;--> statement-breakpoint
ALTER TABLE "events" ADD COLUMN "is_test" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "events" ADD CONSTRAINT "events_sent_by_users_id_fk" FOREIGN KEY ("sent_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "deliveries_company_created_idx" ON "deliveries" USING btree ("company_id","created_at","status");