import { declaredApis } from "../../../local/api-routes";
import { declaredUserPools } from "../../../local/cognito";
import { resolvedLinks, TerraformResolver } from "../../../local/terraform";
import { synthesized } from "../../helpers/synth";

const STAGING = ["auth-staging", "movies-staging", "orders-staging"].map((name) => ({
  name,
  json: synthesized(name),
}));
const POOL_ARN = "arn:aws:cognito-idp:eu-central-1:000000000000:userpool/eu-central-1_local_users_user_pool";

describe("resolvedLinks: a consumer served beside its producer reads what the producer publishes", () => {
  it("resolves each link the stacks publish as the producer's own stack resolves it", () => {
    expect(resolvedLinks(STAGING)).toEqual(
      new Map([
        ["/movies-cdktf/staging/auth/user-pool-arn", POOL_ARN],
        ["/movies-cdktf/staging/auth/user-pool-client-id", "local-users_app_client"],
        ["/movies-cdktf/staging/auth/user-pool-id", "eu-central-1_local_users_user_pool"],
        [
          "/movies-cdktf/staging/movies/movie-infos-table-arn",
          "arn:aws:dynamodb:eu-central-1:000000000000:table/movie_infos-staging",
        ],
        ["/movies-cdktf/staging/movies/movie-infos-table-name", "movie_infos-staging"],
        ["/movies-cdktf/staging/orders/bus-name", "orders-staging"],
      ]),
    );
  });

  it("gives each route its Cognito authorizer and the pool ARN the link names; open routes get none", () => {
    const links = resolvedLinks(STAGING);
    const routes = (stack: string) =>
      declaredApis(new TerraformResolver(synthesized(stack), { links })).flatMap((api) =>
        api.routes.map((r) => [`${r.httpMethod} ${r.resourcePath}`, r.authorizer]),
      );
    const authorizer = {
      address: "aws_api_gateway_authorizer.users_authorizer",
      type: "COGNITO_USER_POOLS",
      providerArns: [POOL_ARN],
    };
    expect(routes("movies-staging")).toEqual([
      ["GET /movies/{movieId}", undefined],
      ["PATCH /movies/{movieId}", authorizer],
    ]);
    expect(routes("orders-staging")).toEqual([
      ["POST /orders", authorizer],
      ["GET /orders/{orderId}", authorizer],
    ]);
  });

  it("refuses to serve a consumer without its producer, naming the parameter and the stack to add", () => {
    expect(() => declaredApis(new TerraformResolver(synthesized("movies-staging")))).toThrow(
      "Cannot resolve ${data.aws_ssm_parameter.user_pool_arn.value} locally: " +
        "/movies-cdktf/staging/auth/user-pool-arn is published by none of the stacks served " +
        "(serve its producer too: --stack auth-staging)",
    );
  });
});

describe("declaredUserPools", () => {
  it("turns the pool's and the client's attributes into the CreateUserPool and CreateUserPoolClient requests", () => {
    expect(declaredUserPools(new TerraformResolver(synthesized("auth-prod")))).toEqual([
      {
        address: "aws_cognito_user_pool.users_user_pool",
        arn: POOL_ARN,
        input: {
          PoolName: "movies-users-prod",
          UsernameAttributes: ["email"],
          AutoVerifiedAttributes: ["email"],
          DeletionProtection: "ACTIVE",
          UsernameConfiguration: { CaseSensitive: false },
          Policies: {
            PasswordPolicy: {
              MinimumLength: 12,
              RequireLowercase: true,
              RequireUppercase: true,
              RequireNumbers: true,
              RequireSymbols: true,
              TemporaryPasswordValidityDays: 1,
            },
          },
          AccountRecoverySetting: { RecoveryMechanisms: [{ Name: "verified_email", Priority: 1 }] },
          AdminCreateUserConfig: { AllowAdminCreateUserOnly: false },
        },
        clients: [
          {
            address: "aws_cognito_user_pool_client.users_app_client",
            input: {
              ClientName: "movies-app-prod",
              GenerateSecret: false,
              ExplicitAuthFlows: ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
              PreventUserExistenceErrors: "ENABLED",
              EnableTokenRevocation: true,
              AccessTokenValidity: 60,
              IdTokenValidity: 60,
              RefreshTokenValidity: 30,
              TokenValidityUnits: { AccessToken: "minutes", IdToken: "minutes", RefreshToken: "days" },
            },
          },
        ],
      },
    ]);
  });
});
