import { addressList, serviceStack } from "../../helpers/addresses";
import { addresses, synthesized } from "../../helpers/synth";

const ENVIRONMENTS = ["dev", "staging", "prod"] as const;
const POOL = "${aws_cognito_user_pool.users_user_pool";
const LINK = "${data.aws_ssm_parameter.user_pool_arn.value}";

describe("auth-<env>: the user pool and its app client", () => {
  it("names every address after what it is", () => {
    expect(addresses(synthesized("auth-dev"))).toEqual(
      addressList(serviceStack(), [
        "aws_cognito_user_pool.users_user_pool",
        "aws_cognito_user_pool_client.users_app_client",
        "aws_ssm_parameter.user_pool_arn_link",
        "aws_ssm_parameter.user_pool_client_id_link",
        "aws_ssm_parameter.user_pool_id_link",
      ]),
    );
  });

  it.each(ENVIRONMENTS)(
    "%s: e-mail is the username and is verified, a strong password policy, recovery by verified e-mail",
    (environment) => {
      const pool = synthesized(`auth-${environment}`).resource.aws_cognito_user_pool?.users_user_pool;
      expect(pool).toEqual({
        name: `movies-users-${environment}`,
        username_attributes: ["email"],
        auto_verified_attributes: ["email"],
        username_configuration: { case_sensitive: false },
        password_policy: {
          minimum_length: 12,
          require_lowercase: true,
          require_uppercase: true,
          require_numbers: true,
          require_symbols: true,
          temporary_password_validity_days: 1,
        },
        account_recovery_setting: { recovery_mechanism: [{ name: "verified_email", priority: 1 }] },
        admin_create_user_config: { allow_admin_create_user_only: false },
        deletion_protection: environment === "dev" ? "INACTIVE" : "ACTIVE",
      });
    },
  );

  it("has one public client: no secret, USER_PASSWORD_AUTH and refresh tokens only, existence errors hidden", () => {
    expect(synthesized("auth-prod").resource.aws_cognito_user_pool_client).toEqual({
      users_app_client: {
        name: "movies-app-prod",
        user_pool_id: `${POOL}.id}`,
        generate_secret: false,
        explicit_auth_flows: ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        prevent_user_existence_errors: "ENABLED",
        enable_token_revocation: true,
        access_token_validity: 60,
        id_token_validity: 60,
        refresh_token_validity: 30,
        token_validity_units: [{ access_token: "minutes", id_token: "minutes", refresh_token: "days" }],
      },
    });
  });

  it("outputs the pool id and the client id", () => {
    expect(synthesized("auth-staging").output).toEqual({
      user_pool_id: { description: "The user pool (sign-up, sign-in)", value: `${POOL}.id}` },
      user_pool_client_id: {
        description: "The app client to sign in with (USER_PASSWORD_AUTH)",
        value: "${aws_cognito_user_pool_client.users_app_client.id}",
      },
    });
  });

  it("publishes the pool's ARN, id and client id as links of the auth service of its environment", () => {
    const parameters = synthesized("auth-staging").resource.aws_ssm_parameter ?? {};
    expect(Object.fromEntries(Object.values(parameters).map((p) => [p.name, [p.type, p.value]]))).toEqual({
      "/movies-cdktf/staging/auth/user-pool-arn": ["String", `${POOL}.arn}`],
      "/movies-cdktf/staging/auth/user-pool-id": ["String", `${POOL}.id}`],
      "/movies-cdktf/staging/auth/user-pool-client-id": [
        "String",
        "${aws_cognito_user_pool_client.users_app_client.id}",
      ],
    });
  });

  it("keeps its state under auth/ and tags its resources as the auth service", () => {
    const synth = synthesized("auth-dev");
    expect((synth.terraform.backend as { s3: { key: string } }).s3.key).toBe("auth/auth-dev.tfstate");
    expect(JSON.parse(synth.json).provider.aws[0].default_tags[0].tags.service).toBe("auth");
  });
});

/** Each method of a stack: its authorization, and the authorizer it names. */
function methods(stack: string): Record<string, [unknown, unknown]> {
  const declared = synthesized(stack).resource.aws_api_gateway_method ?? {};
  return Object.fromEntries(
    Object.entries(declared).map(([name, m]) => [name, [m.authorization, m.authorizer_id]]),
  );
}

const COGNITO: [string, string] = ["COGNITO_USER_POOLS", "${aws_api_gateway_authorizer.users_authorizer.id}"];
const OPEN: [string, undefined] = ["NONE", undefined];

describe("write routes behind the user pool, per environment's auth", () => {
  it("dev (auth none): every route is open, and no stack reads the auth service's links", () => {
    expect(methods("movies-dev")).toEqual({
      get_movie_request_method: OPEN,
      update_movie_rating_request_method: OPEN,
    });
    expect(methods("orders-dev")).toEqual({
      create_order_request_method: OPEN,
      get_order_request_method: OPEN,
    });
    for (const stack of ["movies-dev", "orders-dev"]) {
      expect(synthesized(stack).resource.aws_api_gateway_authorizer).toBeUndefined();
      expect(synthesized(stack).data.aws_ssm_parameter).toBeUndefined();
    }
  });

  it.each(["staging", "prod"])(
    "%s (auth cognito): PATCH /movies/{movieId}, POST /orders and GET /orders/{orderId} need a token; GET /movies/{movieId} stays public",
    (environment) => {
      expect(methods(`movies-${environment}`)).toEqual({
        get_movie_request_method: OPEN,
        update_movie_rating_request_method: COGNITO,
      });
      expect(methods(`orders-${environment}`)).toEqual({
        create_order_request_method: COGNITO,
        get_order_request_method: COGNITO,
      });
    },
  );

  it.each(["movies-staging", "orders-prod"])(
    "%s: one Cognito authorizer on the Authorization header, trusting the pool the auth link names",
    (stack) => {
      const synth = synthesized(stack);
      const environment = stack.split("-")[1];
      const api = stack.startsWith("movies") ? "movies_api" : "orders_api";
      expect(synth.resource.aws_api_gateway_authorizer).toEqual({
        users_authorizer: {
          name: "cognito-users",
          rest_api_id: `\${aws_api_gateway_rest_api.${api}.id}`,
          type: "COGNITO_USER_POOLS",
          provider_arns: [LINK],
          identity_source: "method.request.header.Authorization",
        },
      });
      expect(synth.data.aws_ssm_parameter).toEqual({
        user_pool_arn: { name: `/movies-cdktf/${environment}/auth/user-pool-arn` },
      });
    },
  );

  it("redeploys the API when its authorizer changes", () => {
    const triggers = synthesized("orders-staging").resource.aws_api_gateway_deployment?.orders_api_deployment
      ?.triggers as { redeployment: string };
    for (const attribute of ["id", "type", "provider_arns", "identity_source"]) {
      expect(triggers.redeployment).toContain(`aws_api_gateway_authorizer.users_authorizer.${attribute}`);
    }
    expect(triggers.redeployment).toContain(
      "aws_api_gateway_method.create_order_request_method.authorizer_id",
    );
  });

  it("orders with auth: the function takes the customer from the token, and the body model names none", () => {
    const synth = synthesized("orders-prod");
    expect(synth.resource.aws_lambda_function?.orders_lambda).toMatchObject({
      environment: {
        variables: {
          ORDERS_CUSTOMER_SOURCE: "token",
          ORDERS_TABLE: "${aws_dynamodb_table.orders_table.name}",
        },
      },
    });
    const model = synth.resource.aws_api_gateway_model?.create_order_request_model as {
      name: string;
      schema: string;
    };
    expect(model.name).toBe("CreateOwnOrder");
    expect(model.schema).toContain('"required" = ["items"]');
    expect(model.schema).not.toContain("customer_id");
    expect(
      (
        synthesized("orders-dev").resource.aws_lambda_function?.orders_lambda?.environment as {
          variables: Record<string, string>;
        }
      ).variables,
    ).not.toHaveProperty("ORDERS_CUSTOMER_SOURCE");
  });
});
