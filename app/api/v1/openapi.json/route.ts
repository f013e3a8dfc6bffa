import { internalError } from "@/lib/api-response";
import { openApiDocument } from "@/lib/openapi";

export const dynamic = "force-dynamic";

/** GET /api/v1/openapi.json — the OpenAPI 3.1 document of /api/v1 (public: it holds no company data). */
export async function GET() {
  try {
    return Response.json(openApiDocument());
  } catch (err) {
    return internalError(err);
  }
}
