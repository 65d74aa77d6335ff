import { declaredApis, type DeclaredApi, type RouteAuthorizer } from "../../../local/api-routes";
import { startApiServer, type ApiServer, type Authorize } from "../../../local/api-server";
import { resolvedLinks, TerraformResolver } from "../../../local/terraform";
import { synthesized } from "../../helpers/synth";

// movies-staging: GET /movies/{movieId} open, PATCH behind the Cognito authorizer. The functions are a
// stand-in that answers with the authorizer context it got; `verdict` decides what the authorizer says.
const stacks = ["auth-staging", "movies-staging"].map((name) => ({ name, json: synthesized(name) }));
const api = declaredApis(
  new TerraformResolver(synthesized("movies-staging"), { links: resolvedLinks(stacks) }),
)[0] as DeclaredApi;
let verdict: ReturnType<Authorize>;
const asked: [RouteAuthorizer, string][] = [];
const logs: string[] = [];
let server: ApiServer;
let movie: string;

async function serve(authorize?: Authorize): Promise<void> {
  await server?.stop();
  server = await startApiServer({
    api,
    port: 0,
    accountId: "000000000000",
    log: (line) => logs.push(line),
    ...(authorize ? { authorize } : {}),
    invoke: async (_, event) => ({
      ok: true,
      requestId: "r",
      logs: [],
      result: {
        statusCode: 200,
        body: JSON.stringify(
          (event as { requestContext: { authorizer: unknown } }).requestContext.authorizer,
        ),
      },
    }),
  });
  movie = `${server.origin}/staging/movies/mv1`;
}

beforeAll(() =>
  serve((authorizer, token) => {
    asked.push([authorizer, token]);
    return verdict;
  }),
);
afterAll(() => server?.stop());
beforeEach(() => {
  asked.splice(0);
  logs.splice(0);
});

const patch = (headers: Record<string, string> = {}) =>
  fetch(movie, { method: "PATCH", headers: { "content-type": "application/json", ...headers }, body: "{}" });

describe("the local API's Cognito authorizer", () => {
  it("answers 401 Unauthorized without a token, asking no one, and logs why", async () => {
    const response = await patch();
    expect(response.status).toBe(401);
    expect(response.headers.get("x-amzn-errortype")).toBe("UnauthorizedException");
    expect(await response.text()).toBe('{"message":"Unauthorized"}');
    expect(asked).toEqual([]);
    expect(logs).toContain(
      "PATCH /movies/{movieId}: aws_api_gateway_authorizer.users_authorizer refused: no token in the Authorization header",
    );
  });

  it("answers 401 Unauthorized for a token the pool refuses, and the Cognito message for an expired one", async () => {
    verdict = { ok: false, reason: "bad signature" };
    const bad = await patch({ Authorization: "a.b.c" });
    expect([bad.status, await bad.text()]).toEqual([401, '{"message":"Unauthorized"}']);
    verdict = { ok: false, reason: "expired" };
    const expired = await patch({ Authorization: "a.b.c" });
    expect([expired.status, await expired.text()]).toEqual([
      401,
      '{"message":"The incoming token has expired"}',
    ]);
  });

  it("asks with the route's authorizer and the raw token, and passes the claims to the function", async () => {
    verdict = { ok: true, claims: { sub: "user-1", token_use: "id" } };
    const response = await patch({ Authorization: "Bearer a.b.c" });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ claims: { sub: "user-1", token_use: "id" } });
    expect(asked).toEqual([[api.routes.find((r) => r.httpMethod === "PATCH")?.authorizer, "a.b.c"]]);
  });

  it("leaves open routes open: no check, requestContext.authorizer null", async () => {
    const response = await fetch(movie);
    expect([response.status, await response.text()]).toEqual([200, "null"]);
    expect(asked).toEqual([]);
  });

  it("without a Cognito emulator in the run, refuses every token (401)", async () => {
    await serve();
    const response = await patch({ Authorization: "a.b.c" });
    expect(response.status).toBe(401);
    expect(logs).toContainEqual(
      expect.stringMatching(/refused: no Cognito emulator checks tokens in this run$/),
    );
  });
});
