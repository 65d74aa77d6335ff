import { declaredApis } from "../../local/api-routes";
import { startApiServer, type ApiServer } from "../../local/api-server";
import {
  cognitoCall,
  createUserPools,
  declaredUserPools,
  localAuthorizers,
  type LocalUserPool,
} from "../../local/cognito";
import { signUpAndSignIn, type UserTokens } from "../../local/scenario";
import { resolvedLinks, TerraformResolver } from "../../local/terraform";
import { EMULATOR_VARIABLES } from "../helpers/global-emulators";
import { synthesized } from "../helpers/synth";

// The orders API of staging (both routes behind the Cognito authorizer), served by the local API server,
// with the run's cognito-local holding auth-staging's pool. The function is a stand-in that answers with
// the authorizer context it was given, so each test sees exactly what reached the integration.
const endpoint = process.env[EMULATOR_VARIABLES.cognito] as string;
const stacks = ["auth-staging", "orders-staging"].map((name) => ({ name, json: synthesized(name) }));
const links = resolvedLinks(stacks);
const invoked: unknown[] = [];
let server: ApiServer;
let pools: LocalUserPool[];
let user: UserTokens;
let url: string;

beforeAll(async () => {
  const auth = new TerraformResolver(synthesized("auth-staging"), { links });
  pools = await createUserPools(endpoint, "auth-staging", declaredUserPools(auth));
  const authorizers = await localAuthorizers(endpoint, pools);
  user = (await signUpAndSignIn({ cognito: { endpoint, userPools: pools } })) as UserTokens;
  const [api] = declaredApis(new TerraformResolver(synthesized("orders-staging"), { links }));
  server = await startApiServer({
    api: api as NonNullable<typeof api>,
    port: 0,
    accountId: "000000000000",
    log: () => undefined,
    authorize: authorizers.authorize,
    invoke: async (_, event) => {
      invoked.push(event);
      const context = (event as { requestContext: { authorizer: unknown } }).requestContext;
      return {
        ok: true,
        requestId: "r",
        logs: [],
        result: { statusCode: 200, body: JSON.stringify(context.authorizer) },
      };
    },
  });
  url = `${server.origin}/staging/orders/3f1c2b9e-8d7a-4c6b-9e5f-0a1b2c3d4e5f`;
}, 60_000);
afterAll(() => server?.stop());
beforeEach(() => invoked.splice(0));

const get = (authorization?: string) =>
  fetch(url, authorization === undefined ? {} : { headers: { authorization } });

describe("a route behind a Cognito authorizer, locally", () => {
  it("creates auth-staging's pool and client in cognito-local, under their declared names", () => {
    expect(pools).toEqual([
      expect.objectContaining({
        stack: "auth-staging",
        name: "movies-users-staging",
        issuer: `${endpoint}/${pools[0]?.id}`,
        clients: [expect.objectContaining({ name: "movies-app-staging" })],
      }),
    ]);
  });

  it("answers 401 Unauthorized without a token, and runs nothing", async () => {
    const response = await get();
    expect(response.status).toBe(401);
    expect(await response.text()).toBe('{"message":"Unauthorized"}');
    expect(invoked).toEqual([]);
  });

  it.each([
    ["garbage", () => "not-a-jwt"],
    ["a token whose payload was changed", () => swapSub(user.idToken)],
    ["a refresh token", () => "eyJhbGciOiJSUzI1NiJ9.eyJ0b2tlbl91c2UiOiJyZWZyZXNoIn0.x"],
  ])("answers 401 Unauthorized for %s, and runs nothing", async (_, token) => {
    const response = await get(token());
    expect(response.status).toBe(401);
    expect(await response.text()).toBe('{"message":"Unauthorized"}');
    expect(invoked).toEqual([]);
  });

  it("answers 401 for a valid token of another pool", async () => {
    const other = await cognitoCall<{ UserPool: { Id: string } }>(endpoint, "CreateUserPool", {
      PoolName: "elsewhere",
    });
    const client = await cognitoCall<{ UserPoolClient: { ClientId: string } }>(
      endpoint,
      "CreateUserPoolClient",
      {
        UserPoolId: other.UserPool.Id,
        ClientName: "elsewhere-app",
      },
    );
    const stranger = (await signUpAndSignIn(
      {
        cognito: {
          endpoint,
          userPools: [
            {
              stack: "none",
              address: "none",
              arn: "arn:none",
              name: "elsewhere",
              id: other.UserPool.Id,
              issuer: `${endpoint}/${other.UserPool.Id}`,
              clients: [{ address: "none", name: "elsewhere-app", id: client.UserPoolClient.ClientId }],
            },
          ],
        },
      },
      { pool: "elsewhere" },
    )) as UserTokens;
    const response = await get(stranger.idToken);
    expect(response.status).toBe(401);
    expect(invoked).toEqual([]);
  });

  it.each([
    ["an ID token", () => user.idToken, "id"],
    ["an access token", () => user.accessToken, "access"],
    ["a Bearer ID token", () => `Bearer ${user.idToken}`, "id"],
  ])("answers 200 for %s, passing its claims as requestContext.authorizer.claims", async (_, token, use) => {
    const response = await get(token());
    expect(response.status).toBe(200);
    const authorizer = (await response.json()) as { claims: Record<string, string> };
    expect(authorizer.claims).toMatchObject({ sub: user.sub, token_use: use });
    expect(authorizer.claims.exp).toMatch(/^[A-Z][a-z]{2} [A-Z][a-z]{2} \d\d \d\d:\d\d:\d\d UTC \d{4}$/);
    expect(invoked).toHaveLength(1);
  });
});

/** The token with its `sub` changed, its signature kept. */
function swapSub(token: string): string {
  const [head, payload, signature] = token.split(".") as [string, string, string];
  const claims = JSON.parse(Buffer.from(payload, "base64url").toString()) as Record<string, unknown>;
  return `${head}.${Buffer.from(JSON.stringify({ ...claims, sub: "someone-else" })).toString("base64url")}.${signature}`;
}
