CREATE TABLE "oauth_authorizations" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"company_id" uuid NOT NULL,
	"credential_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"state_hash" text NOT NULL,
	"code_verifier_encrypted" text,
	"redirect_uri" text NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"used_at" timestamp with time zone,
	"result" text,
	"result_message" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "oauth_credentials" ADD COLUMN "grant_type" text DEFAULT 'custom' NOT NULL;--> statement-breakpoint
ALTER TABLE "oauth_credentials" ADD COLUMN "authorize_url" text;--> statement-breakpoint
ALTER TABLE "oauth_credentials" ADD COLUMN "client_id" text;--> statement-breakpoint
ALTER TABLE "oauth_credentials" ADD COLUMN "client_secret_encrypted" text;--> statement-breakpoint
ALTER TABLE "oauth_credentials" ADD COLUMN "scopes" text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "oauth_credentials" ADD COLUMN "pkce" boolean DEFAULT true NOT NULL;--> statement-breakpoint
ALTER TABLE "oauth_credentials" ADD COLUMN "connected_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "oauth_credentials" ADD COLUMN "connected_by" uuid;--> statement-breakpoint
ALTER TABLE "oauth_credentials" ADD COLUMN "needs_reconnect_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "oauth_credentials" ADD COLUMN "needs_reconnect_reason" text;--> statement-breakpoint
ALTER TABLE "oauth_authorizations" ADD CONSTRAINT "oauth_authorizations_company_id_companies_id_fk" FOREIGN KEY ("company_id") REFERENCES "public"."companies"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "oauth_authorizations" ADD CONSTRAINT "oauth_authorizations_credential_id_oauth_credentials_id_fk" FOREIGN KEY ("credential_id") REFERENCES "public"."oauth_credentials"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "oauth_authorizations" ADD CONSTRAINT "oauth_authorizations_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "oauth_authorizations_state_hash_key" ON "oauth_authorizations" USING btree ("state_hash");--> statement-breakpoint
CREATE INDEX "oauth_authorizations_credential_idx" ON "oauth_authorizations" USING btree ("credential_id");--> statement-breakpoint
CREATE INDEX "oauth_authorizations_created_idx" ON "oauth_authorizations" USING btree ("created_at");--> statement-breakpoint
ALTER TABLE "oauth_credentials" ADD CONSTRAINT "oauth_credentials_connected_by_users_id_fk" FOREIGN KEY ("connected_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;