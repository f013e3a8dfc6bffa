ALTER TABLE "notifications" ADD COLUMN "ref_id" text;--> statement-breakpoint
CREATE INDEX "notifications_ref_idx" ON "notifications" USING btree ("kind","ref_id","created_at");