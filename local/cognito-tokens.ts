import { createPublicKey, verify, type JsonWebKey } from "node:crypto";

/** A user pool's public keys, as its `/.well-known/jwks.json` serves them. */
export interface JsonWebKeySet {
  readonly keys: readonly (JsonWebKey & { readonly kid?: string })[];
}

/** What a Cognito authorizer knows of the pool whose tokens it accepts. */
export interface TrustedPool {
  /** The tokens' `iss`: `https://cognito-idp.<region>.amazonaws.com/<pool id>`, or the emulator's. */
  readonly issuer: string;
  readonly jwks: JsonWebKeySet;
  /** The pool's app clients: an ID token's `aud`, an access token's `client_id`, must be one of them. */
  readonly clientIds: readonly string[];
}

/** A token's verdict: its claims as API Gateway hands them to the function, or why it was refused. */
export type TokenVerdict =
  | { readonly ok: true; readonly claims: Readonly<Record<string, string>> }
  | { readonly ok: false; readonly reason: string };

/** The token of an `Authorization` header: the raw JWT, as API Gateway expects, or after `Bearer `. */
export function tokenOf(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const token = header.replace(/^Bearer\s+/i, "").trim();
  return token === "" ? undefined : token;
}

function decodePart(part: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, "base64url").toString("utf8"));
    return typeof value === "object" && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Checks a JWT the way API Gateway's Cognito authorizer does: an RS256 signature by one of the pool's
 * keys (by `kid`), the pool's issuer, an expiry in the future, and `token_use` `id` (whose `aud` is one
 * of the pool's clients) or `access` (whose `client_id` is). Anything else is refused, with the reason
 * (for the local run's log; the caller only ever sees 401 Unauthorized).
 */
export function verifyToken(
  token: string,
  pools: readonly TrustedPool[],
  nowSeconds = Date.now() / 1000,
): TokenVerdict {
  const parts = token.split(".");
  if (parts.length !== 3) return { ok: false, reason: "not a JWT" };
  const [encodedHeader = "", encodedPayload = "", signature = ""] = parts;
  const header = decodePart(encodedHeader);
  const payload = decodePart(encodedPayload);
  if (!header || !payload) return { ok: false, reason: "not a JWT" };
  if (header.alg !== "RS256") return { ok: false, reason: `algorithm ${String(header.alg)} is not RS256` };
  const pool = pools.find((p) => p.issuer === payload.iss);
  if (!pool) return { ok: false, reason: `issuer ${String(payload.iss)} is not a trusted user pool` };
  const key = pool.jwks.keys.find((k) => k.kid === header.kid);
  if (!key) return { ok: false, reason: `no key ${String(header.kid)} in the pool's JWKS` };
  let valid: boolean;
  try {
    valid = verify(
      "RSA-SHA256",
      Buffer.from(`${encodedHeader}.${encodedPayload}`),
      createPublicKey({ key, format: "jwk" }),
      Buffer.from(signature, "base64url"),
    );
  } catch {
    valid = false;
  }
  if (!valid) return { ok: false, reason: "bad signature" };
  if (typeof payload.exp !== "number" || payload.exp <= nowSeconds) return { ok: false, reason: "expired" };
  const client =
    payload.token_use === "id" ? payload.aud : payload.token_use === "access" ? payload.client_id : undefined;
  if (client === undefined)
    return { ok: false, reason: `token_use ${String(payload.token_use)} is not id or access` };
  if (typeof client !== "string" || !pool.clientIds.includes(client)) {
    return { ok: false, reason: `client ${String(client)} is not an app client of the pool` };
  }
  return { ok: true, claims: authorizerClaims(payload) };
}

const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** `Tue Dec 01 23:22:17 UTC 2026`: how API Gateway writes a token's `exp` and `iat` in the claims. */
function claimDate(seconds: number): string {
  const d = new Date(seconds * 1000);
  const two = (n: number) => String(n).padStart(2, "0");
  return (
    `${DAYS[d.getUTCDay()]} ${MONTHS[d.getUTCMonth()]} ${two(d.getUTCDate())} ` +
    `${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} UTC ${d.getUTCFullYear()}`
  );
}

/**
 * The claims as a REST API's Cognito authorizer passes them (`requestContext.authorizer.claims`): every
 * value a string, `exp` and `iat` as dates, numbers and booleans as their text.
 */
export function authorizerClaims(payload: Readonly<Record<string, unknown>>): Record<string, string> {
  const claims: Record<string, string> = {};
  for (const [name, value] of Object.entries(payload)) {
    if ((name === "exp" || name === "iat") && typeof value === "number") claims[name] = claimDate(value);
    else if (typeof value === "string") claims[name] = value;
    else if (typeof value === "number" || typeof value === "boolean") claims[name] = String(value);
    else if (Array.isArray(value)) claims[name] = value.map(String).join(",");
  }
  return claims;
}
