import { randomUUID } from "node:crypto";
import { OAuth2Server, type MutableResponse, type TokenRequestIncomingMessage } from "oauth2-mock-server";

/**
 * An OAuth provider for tests: a real oauth2-mock-server on 127.0.0.1 (its /authorize redirects straight back with a
 * code, its /token issues JWTs and refresh tokens), plus what a real provider checks and the mock does not: the
 * client secret (401 invalid_client otherwise) and revoked refresh tokens (400 invalid_grant). `tokenRequests`
 * holds the form parameters of every token request it answered; empty it between tests.
 */
export async function startOAuthProvider(clientSecret: string) {
  const server = new OAuth2Server();
  const provider = {
    server,
    url: "",
    tokenRequests: [] as Record<string, unknown>[],
    revokedRefreshTokens: new Set<string>(),
    stop: () => server.stop(),
  };
  await server.issuer.keys.generate("RS256");
  await server.start(0, "127.0.0.1");
  provider.url = server.issuer.url!;
  // The mock server's JWTs carry only second-resolution times; a jti makes each token distinct.
  server.service.on("beforeTokenSigning", (token) => {
    token.payload.jti = randomUUID();
  });
  server.service.on("beforeResponse", (response: MutableResponse, req: TokenRequestIncomingMessage) => {
    const body = { ...req.body } as Record<string, unknown>;
    provider.tokenRequests.push(body);
    if (body.client_secret !== clientSecret) {
      response.statusCode = 401;
      response.body = { error: "invalid_client", error_description: "Client authentication failed" };
    } else if (body.grant_type === "refresh_token" && provider.revokedRefreshTokens.has(String(body.refresh_token))) {
      response.statusCode = 400;
      response.body = { error: "invalid_grant", error_description: "The refresh token was revoked" };
    }
  });
  return provider;
}
