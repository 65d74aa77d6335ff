import type { Construct } from "constructs";
import { CognitoUserPool } from "@cdktf/provider-aws/lib/cognito-user-pool";
import { CognitoUserPoolClient } from "@cdktf/provider-aws/lib/cognito-user-pool-client";
import { tfName } from "./core/naming";
import { ResourceConstruct, withAddress } from "./core/resource-construct";

export interface UserPoolProps {
  /** Physical name (`movies-users-dev`). */
  readonly name: string;
  /**
   * Cognito's deletion protection: `true` makes DeleteUserPool fail until it is turned off (prod).
   * @default false
   */
  readonly deletionProtection?: boolean;
  /**
   * Minimum password length.
   * @default 12
   */
  readonly minimumPasswordLength?: number;
}

/** What {@link UserPool.addClient} creates. */
export interface UserPoolClientProps {
  /** The client's name (`movies-web-dev`). */
  readonly name: string;
}

/**
 * The password policy every pool gets: long, with every character class, and a temporary password
 * (AdminCreateUser) that expires in a day. NIST 800-63B asks for length over composition; Cognito's
 * composition rules cost nothing on top, and security reviews of Cognito pools check for them.
 */
export const PASSWORD_POLICY = {
  requireLowercase: true,
  requireUppercase: true,
  requireNumbers: true,
  requireSymbols: true,
  temporaryPasswordValidityDays: 1,
} as const;

/** The sign-in flows of {@link UserPool.addClient}'s clients, and nothing else (no SRP, no admin flows). */
export const CLIENT_AUTH_FLOWS = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"] as const;

/**
 * A Cognito user pool whose users sign in with their e-mail address (`username_attributes = ["email"]`),
 * which Cognito verifies with a code before the account can be used for recovery
 * (`auto_verified_attributes`); accounts are recovered through that verified e-mail only. The pool is
 * `aws_cognito_user_pool.<id>`.
 *
 * `addClient` adds app clients for public callers (a browser, a CLI): no secret, user-password and
 * refresh-token flows only, user-existence errors hidden, and tokens that can be revoked.
 */
export class UserPool extends ResourceConstruct {
  readonly resource: CognitoUserPool;
  readonly userPoolId: string;
  readonly userPoolArn: string;
  /** `cognito-idp.<region>.amazonaws.com/<pool id>`, the `iss` of the pool's tokens without `https://`. */
  readonly endpoint: string;

  constructor(scope: Construct, id: string, props: UserPoolProps) {
    super(scope, id);
    this.resource = this.address(
      new CognitoUserPool(this, "pool", {
        name: props.name,
        usernameAttributes: ["email"],
        autoVerifiedAttributes: ["email"],
        usernameConfiguration: { caseSensitive: false },
        passwordPolicy: { minimumLength: props.minimumPasswordLength ?? 12, ...PASSWORD_POLICY },
        accountRecoverySetting: {
          recoveryMechanism: [{ name: "verified_email", priority: 1 }],
        },
        adminCreateUserConfig: { allowAdminCreateUserOnly: false },
        deletionProtection: props.deletionProtection ? "ACTIVE" : "INACTIVE",
      }),
    );
    this.userPoolId = this.resource.id;
    this.userPoolArn = this.resource.arn;
    this.endpoint = this.resource.endpoint;
  }

  /** Adds `aws_cognito_user_pool_client.<id>`: a public client (no secret) of this pool. */
  addClient(id: string, props: UserPoolClientProps): CognitoUserPoolClient {
    const client = new CognitoUserPoolClient(this, id, {
      name: props.name,
      userPoolId: this.resource.id,
      generateSecret: false,
      explicitAuthFlows: [...CLIENT_AUTH_FLOWS],
      preventUserExistenceErrors: "ENABLED",
      enableTokenRevocation: true,
      accessTokenValidity: 60,
      idTokenValidity: 60,
      refreshTokenValidity: 30,
      tokenValidityUnits: [{ accessToken: "minutes", idToken: "minutes", refreshToken: "days" }],
    });
    return withAddress(client, tfName(id));
  }
}
