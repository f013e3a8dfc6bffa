import type { SendErrorKind } from "./http-client";

/**
 * What a delivery's outcome means, in plain words, for Test, the history and the failure email.
 * The 3xx/4xx/5xx wording is Freshsales' error-code table (seed 000); 2xx, 408, 410, 503, 504 and
 * the network errors are ours in the same voice.
 */
export interface StatusMeaning {
  /** Short name: "Moved permanently", "Connection refused". */
  label: string;
  /** One sentence. */
  meaning: string;
}

const STATUS: Record<number, StatusMeaning> = {
  200: { label: "OK", meaning: "The receiver accepted the request." },
  201: { label: "Created", meaning: "The receiver accepted the request and created a resource." },
  202: { label: "Accepted", meaning: "The receiver accepted the request for processing." },
  204: { label: "No content", meaning: "The receiver accepted the request and sent nothing back." },
  301: { label: "Moved permanently", meaning: "The requested resource has permanently moved to a different URL." },
  302: { label: "Moved temporarily", meaning: "The requested resource has temporarily moved to a different URL." },
  400: {
    label: "Bad request",
    meaning: "The request you sent is invalid (syntax could have invalid parameters or size might be too large).",
  },
  401: {
    label: "Unauthorized",
    meaning: "You don't have permission to access the resource. Authentication has failed/not been provided.",
  },
  403: {
    label: "Forbidden",
    meaning: "Your request is correct, but you're not authorized to perform the requested operation.",
  },
  404: { label: "Not found", meaning: "The requested resource is not available at the moment." },
  405: { label: "Method not allowed", meaning: "Your request method is not supported for the requested resource." },
  408: { label: "Request timeout", meaning: "The receiver gave up waiting for the request to arrive." },
  409: {
    label: "Conflict",
    meaning: "Your request can't be processed because there's a conflict with another request at the server's end.",
  },
  410: {
    label: "Gone",
    meaning: "The receiver says this URL no longer exists and will not come back; the webhook is switched off.",
  },
  413: { label: "Payload too large", meaning: "The request body is larger than the receiver accepts." },
  415: {
    label: "Unsupported media type",
    meaning: "The receiver does not accept this content type; check the webhook's encoding.",
  },
  422: {
    label: "Unprocessable entity",
    meaning: "Your request is correctly framed, but the server can't process the contained instructions.",
  },
  429: { label: "Too many requests", meaning: "You've sent quite a lot of requests recently." },
  500: { label: "Internal server error", meaning: "The server encountered an internal error or misconfiguration." },
  502: {
    label: "Bad gateway",
    meaning: "The server is a gateway/proxy and has received an invalid response from the upstream server.",
  },
  503: { label: "Service unavailable", meaning: "The server is down or overloaded for now; it may work again later." },
  504: {
    label: "Gateway timeout",
    meaning: "The server is a gateway/proxy and did not get a response from the upstream server in time.",
  },
};

const ERRORS: Record<Exclude<SendErrorKind, "http_status">, StatusMeaning> = {
  timeout: { label: "Timed out", meaning: "The receiver did not answer within the webhook's timeout." },
  connection_refused: {
    label: "Connection refused",
    meaning: "Nothing is accepting connections at that address and port.",
  },
  connection_reset: { label: "Connection reset", meaning: "The receiver closed the connection before answering." },
  dns: { label: "Host not found", meaning: "The URL's host name could not be found (DNS lookup failed)." },
  blocked_address: {
    label: "Blocked address",
    meaning: "The URL points to a private or internal address, which webhooks may not call.",
  },
  tls: {
    label: "TLS error",
    meaning: "A secure (https) connection could not be set up: the certificate or TLS settings are not valid.",
  },
  invalid_url: { label: "Invalid URL", meaning: "The URL is not a valid http or https address." },
  template: {
    label: "Template error",
    meaning: "A placeholder or the body template could not be filled for this event; fix the template and resend.",
  },
  template_limit: {
    label: "Template over its limits",
    meaning:
      "Filling the template used more memory, time or output than a webhook may; it was stopped and nothing was sent. Simplify the template and resend.",
  },
  crashed_worker: {
    label: "Set aside after crashes",
    meaning:
      "A delivery worker stopped unexpectedly twice while sending this delivery, so it was set aside instead of being retried; resend it once the cause is fixed.",
  },
  oauth_reconnect_needed: {
    label: "OAuth reconnect needed",
    meaning:
      "The webhook's OAuth credential is not connected (or its provider stopped accepting the refresh token), so nothing was sent. Click Connect or Reconnect on the OAuth credentials page, then resend.",
  },
  other: { label: "Request failed", meaning: "The request could not be sent." },
};

function byClass(status: number): StatusMeaning {
  if (status >= 200 && status < 300) return { label: "Success", meaning: "The receiver accepted the request." };
  if (status >= 300 && status < 400)
    return {
      label: "Redirect",
      meaning:
        "The receiver answered with a redirect to another URL; webhooks do not follow redirects, so update the URL.",
    };
  if (status >= 400 && status < 500)
    return {
      label: "Client error",
      meaning: "The receiver refused the request; check the URL, authentication and body.",
    };
  if (status >= 500 && status < 600)
    return { label: "Server error", meaning: "The receiver failed while handling the request." };
  return { label: "Unexpected status", meaning: "The receiver answered with a status code HTTP does not define." };
}

/** Label and sentence for an outcome: by status when there is one, else by the network error. */
export function statusMeaningParts(status: number | null, errorKind?: SendErrorKind | null): StatusMeaning {
  if (status !== null && status !== undefined) return STATUS[status] ?? byClass(status);
  if (errorKind && errorKind !== "http_status") return ERRORS[errorKind];
  return ERRORS.other;
}

/** Plain words: "404 Not found: The requested resource is not available at the moment." */
export function statusMeaning(status: number | null, errorKind?: SendErrorKind | null): string {
  const m = statusMeaningParts(status, errorKind);
  return `${status !== null && status !== undefined ? `${status} ` : ""}${m.label}: ${m.meaning}`;
}
