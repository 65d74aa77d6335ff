import { Construct } from "constructs";
import { TerraformOutput } from "cdktf";
import { physicalName } from "../constructs/core/naming";
import type { ApiGatewayAuthorizer } from "@cdktf/provider-aws/lib/api-gateway-authorizer";
import type { RestApi } from "../constructs/rest-api";
import { LinkedValue, PublishedLink } from "../constructs/service-link";
import { UserPool } from "../constructs/user-pool";
import type { EnvironmentConfig } from "./config";
import { ServiceStack } from "./service-stack";

export interface AuthStackProps {
  readonly config: EnvironmentConfig;
}

/** The service name of the auth stacks (`auth-dev`), and the publisher of their links. */
export const AUTH_SERVICE = "auth";

/** The links the auth service publishes (`/movies-cdktf/<env>/auth/<name>`). */
export const AUTH_LINKS = {
  userPoolArn: "user-pool-arn",
  userPoolId: "user-pool-id",
  userPoolClientId: "user-pool-client-id",
} as const;

/**
 * The auth service of the serverless-microservices design: one Cognito user pool per environment, whose
 * users sign in with their e-mail address, and one public app client (no secret; user-password and
 * refresh-token flows). The other services find the pool through the links this stack publishes
 * (tooling/service-links.ts): the movies and orders APIs put a Cognito authorizer on their write routes
 * with the pool's ARN. Deploy it before them (docs/auth.md).
 *
 * In staging and prod (`data.retain`) the pool has Cognito's deletion protection, so no deploy or
 * console click deletes the users.
 */
export class AuthStack extends ServiceStack {
  readonly userPool: UserPool;
  readonly clientId: string;

  constructor(scope: Construct, id: string, props: AuthStackProps) {
    super(scope, id, { config: props.config, service: AUTH_SERVICE });
    const { environment, data } = props.config;

    this.userPool = new UserPool(this, "users_user_pool", {
      name: physicalName("movies-users", environment),
      deletionProtection: data.retain,
    });
    const client = this.userPool.addClient("users_app_client", {
      name: physicalName("movies-app", environment),
    });
    this.clientId = client.id;

    const link = (id: string, name: string, value: string, description: string) =>
      new PublishedLink(this, id, { environment, service: AUTH_SERVICE, name, value, description });
    link(
      "user_pool_arn_link",
      AUTH_LINKS.userPoolArn,
      this.userPool.userPoolArn,
      "ARN of the user pool whose tokens the APIs' Cognito authorizers accept",
    );
    link("user_pool_id_link", AUTH_LINKS.userPoolId, this.userPool.userPoolId, "Id of the user pool");
    link(
      "user_pool_client_id_link",
      AUTH_LINKS.userPoolClientId,
      this.clientId,
      "Id of the public app client users sign in with",
    );

    new TerraformOutput(this, "user_pool_id", {
      description: "The user pool (sign-up, sign-in)",
      value: this.userPool.userPoolId,
    });
    new TerraformOutput(this, "user_pool_client_id", {
      description: "The app client to sign in with (USER_PASSWORD_AUTH)",
      value: this.clientId,
    });
  }
}

/**
 * The authorizer of a service's write routes in `config`'s environment: with `auth: "cognito"`, a Cognito
 * authorizer on `api` (`aws_api_gateway_authorizer.users_authorizer`) that accepts the tokens of the
 * environment's user pool, whose ARN it reads from the auth service's link
 * (`data.aws_ssm_parameter.user_pool_arn`); with `auth: "none"`, `undefined` (the routes stay open).
 */
export function writeRoutesAuthorizer(
  scope: Construct,
  api: RestApi,
  config: EnvironmentConfig,
): ApiGatewayAuthorizer | undefined {
  if (config.auth !== "cognito") return undefined;
  const userPoolArn = new LinkedValue(scope, "user_pool_arn", {
    environment: config.environment,
    service: AUTH_SERVICE,
    name: AUTH_LINKS.userPoolArn,
  });
  return api.addCognitoAuthorizer("users_authorizer", {
    name: "cognito-users",
    providerArns: [userPoolArn.value],
  });
}
