import { generateKeyPairSync, sign, type KeyObject } from "node:crypto";
import { authorizerClaims, tokenOf, verifyToken, type TrustedPool } from "../../../local/cognito-tokens";

const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
const other = generateKeyPairSync("rsa", { modulusLength: 2048 });
const ISSUER = "http://127.0.0.1:9229/local_pool";
const CLIENT = "client-1";
const NOW = 1_796_167_698; // Tue Dec 01 2026 23:28:18 UTC
const POOL: TrustedPool = {
  issuer: ISSUER,
  jwks: { keys: [{ ...publicKey.export({ format: "jwk" }), kid: "key-1", alg: "RS256", use: "sig" }] },
  clientIds: [CLIENT],
};

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");

function jwt(
  payload: Record<string, unknown>,
  options: { key?: KeyObject; kid?: string; alg?: string } = {},
): string {
  const head = `${b64({ alg: options.alg ?? "RS256", kid: options.kid ?? "key-1", typ: "JWT" })}.${b64(payload)}`;
  return `${head}.${sign("RSA-SHA256", Buffer.from(head), options.key ?? privateKey).toString("base64url")}`;
}

const idToken = (overrides: Record<string, unknown> = {}) =>
  jwt({
    sub: "user-1",
    email: "a@example.com",
    email_verified: true,
    token_use: "id",
    aud: CLIENT,
    iss: ISSUER,
    iat: NOW - 60,
    exp: NOW + 3600,
    ...overrides,
  });
const accessToken = (overrides: Record<string, unknown> = {}) =>
  jwt({
    sub: "user-1",
    token_use: "access",
    client_id: CLIENT,
    scope: "aws.cognito.signin.user.admin",
    iss: ISSUER,
    exp: NOW + 3600,
    ...overrides,
  });

describe("verifyToken: what a Cognito authorizer accepts", () => {
  it("accepts a valid ID token of one of the pool's clients, with its claims as API Gateway passes them", () => {
    expect(verifyToken(idToken(), [POOL], NOW)).toEqual({
      ok: true,
      claims: {
        sub: "user-1",
        email: "a@example.com",
        email_verified: "true",
        token_use: "id",
        aud: CLIENT,
        iss: ISSUER,
        iat: "Tue Dec 01 23:27:18 UTC 2026",
        exp: "Wed Dec 02 00:28:18 UTC 2026",
      },
    });
  });

  it("accepts a valid access token whose client_id is one of the pool's clients", () => {
    const verdict = verifyToken(accessToken(), [POOL], NOW);
    expect(verdict).toMatchObject({
      ok: true,
      claims: { sub: "user-1", token_use: "access", client_id: CLIENT },
    });
  });

  it.each([
    [
      "a token signed by another key",
      () => jwt({ iss: ISSUER, token_use: "id", aud: CLIENT, exp: NOW + 60 }, { key: other.privateKey }),
      "bad signature",
    ],
    ["a payload changed after signing", () => tamper(idToken()), "bad signature"],
    ["an expired token", () => idToken({ exp: NOW - 1 }), "expired"],
    ["a token without exp", () => idToken({ exp: undefined }), "expired"],
    [
      "another issuer",
      () => idToken({ iss: "http://127.0.0.1:9229/other" }),
      "issuer http://127.0.0.1:9229/other is not a trusted user pool",
    ],
    [
      "an unknown key id",
      () => idToken().replace(/^[^.]+/, b64({ alg: "RS256", kid: "key-2" })),
      "no key key-2 in the pool's JWKS",
    ],
    ["alg none", () => jwt({ iss: ISSUER }, { alg: "none" }), "algorithm none is not RS256"],
    [
      "an ID token of another client",
      () => idToken({ aud: "client-2" }),
      "client client-2 is not an app client of the pool",
    ],
    [
      "an access token of another client",
      () => accessToken({ client_id: "client-2" }),
      "client client-2 is not an app client of the pool",
    ],
    [
      "a refresh-like token (no token_use)",
      () => idToken({ token_use: undefined }),
      "token_use undefined is not id or access",
    ],
    ["not a JWT", () => "not-a-token", "not a JWT"],
    ["three parts that are not JSON", () => "a.b.c", "not a JWT"],
  ])("refuses %s", (_, token, reason) => {
    expect(verifyToken(token(), [POOL], NOW)).toEqual({ ok: false, reason });
  });
});

/** The token with one claim changed and the original signature kept. */
function tamper(token: string): string {
  const [head, payload, signature] = token.split(".") as [string, string, string];
  const claims = JSON.parse(Buffer.from(payload, "base64url").toString()) as Record<string, unknown>;
  return `${head}.${b64({ ...claims, sub: "someone-else" })}.${signature}`;
}

describe("tokenOf", () => {
  it("takes the raw token of the Authorization header, or the one after Bearer", () => {
    expect(tokenOf("abc.def.ghi")).toBe("abc.def.ghi");
    expect(tokenOf("Bearer abc.def.ghi")).toBe("abc.def.ghi");
    expect(tokenOf(undefined)).toBeUndefined();
    expect(tokenOf("Bearer ")).toBeUndefined();
  });
});

describe("authorizerClaims", () => {
  it("writes every claim as a string: dates for exp and iat, text for numbers and booleans, lists joined", () => {
    expect(
      authorizerClaims({
        exp: 0,
        auth_time: 5,
        email_verified: false,
        "cognito:groups": ["a", "b"],
        nested: {},
      }),
    ).toEqual({
      exp: "Thu Jan 01 00:00:00 UTC 1970",
      auth_time: "5",
      email_verified: "false",
      "cognito:groups": "a,b",
    });
  });
});
