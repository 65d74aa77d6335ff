import { referenceOf } from "../tooling/terraform-json";
import type { RouteAuthorizer } from "./api-routes";
import { verifyToken, type JsonWebKeySet, type TokenVerdict, type TrustedPool } from "./cognito-tokens";
import type { TerraformResolver } from "./terraform";

/**
 * The user pools of the synthesized stacks, created in a Cognito-compatible emulator (cognito-local), and
 * the check a local Cognito authorizer makes with them. The emulator gives each pool an id of its own
 * (`local_AbC123`); the stacks' references resolve to local ARNs named after the resource
 * (`arn:aws:cognito-idp:eu-central-1:000000000000:userpool/eu-central-1_local_users_user_pool`,
 * local/terraform.ts), and {@link LocalUserPool} maps one to the other.
 */

/** An app client as the stack declares it. */
export interface DeclaredUserPoolClient {
  /** `aws_cognito_user_pool_client.users_app_client` */
  readonly address: string;
  /** The CreateUserPoolClient request (without `UserPoolId`), from the client's attributes. */
  readonly input: Readonly<Record<string, unknown>>;
}

/** A user pool as the stack declares it, with its clients. */
export interface DeclaredUserPool {
  /** `aws_cognito_user_pool.users_user_pool` */
  readonly address: string;
  /** What references to the pool's ARN resolve to locally (an authorizer's `provider_arns`). */
  readonly arn: string;
  /** The CreateUserPool request, from the pool's attributes. */
  readonly input: Readonly<Record<string, unknown>> & { readonly PoolName: string };
  readonly clients: readonly DeclaredUserPoolClient[];
}

function record(value: unknown): Record<string, unknown> | undefined {
  const item = Array.isArray(value) ? value[0] : value;
  return typeof item === "object" && item !== null ? (item as Record<string, unknown>) : undefined;
}

function defined(entries: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(entries).filter(([, v]) => v !== undefined));
}

/** `{ minimum_length: 12, require_symbols: true }` → `{ MinimumLength: 12, RequireSymbols: true }`. */
function pascalKeys(value: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  if (!value) return undefined;
  return Object.fromEntries(
    Object.entries(value).map(([key, v]) => [
      key.replace(/(^|_)([a-z])/g, (_, __, c: string) => c.toUpperCase()),
      v,
    ]),
  );
}

/** Every `aws_cognito_user_pool` of the stack, with the `aws_cognito_user_pool_client`s that name it. */
export function declaredUserPools(resolver: TerraformResolver): DeclaredUserPool[] {
  const clients = resolver.resources("aws_cognito_user_pool_client");
  return resolver.resources("aws_cognito_user_pool").map(([name, raw]) => {
    const config = resolver.resolve(raw) as Record<string, unknown>;
    const password = record(config.password_policy);
    const recovery = record(config.account_recovery_setting);
    const input = defined({
      PoolName: String(config.name),
      UsernameAttributes: config.username_attributes,
      AutoVerifiedAttributes: config.auto_verified_attributes,
      DeletionProtection: config.deletion_protection,
      UsernameConfiguration: pascalKeys(record(config.username_configuration)),
      Policies: password ? { PasswordPolicy: pascalKeys(password) } : undefined,
      AccountRecoverySetting: recovery
        ? { RecoveryMechanisms: (recovery.recovery_mechanism as Record<string, unknown>[]).map(pascalKeys) }
        : undefined,
      AdminCreateUserConfig: pascalKeys(record(config.admin_create_user_config)),
    }) as DeclaredUserPool["input"];
    return {
      address: `aws_cognito_user_pool.${name}`,
      arn: resolver.attribute("aws_cognito_user_pool", name, "arn"),
      input,
      clients: clients
        .filter(([, client]) => {
          const ref = referenceOf(client.user_pool_id);
          return ref?.type === "aws_cognito_user_pool" && ref.name === name && !ref.data;
        })
        .map(([clientName, rawClient]) => {
          const client = resolver.resolve({ ...rawClient, user_pool_id: undefined }) as Record<
            string,
            unknown
          >;
          const units = record(client.token_validity_units);
          return {
            address: `aws_cognito_user_pool_client.${clientName}`,
            input: defined({
              ClientName: String(client.name),
              GenerateSecret: client.generate_secret,
              ExplicitAuthFlows: client.explicit_auth_flows,
              PreventUserExistenceErrors: client.prevent_user_existence_errors,
              EnableTokenRevocation: client.enable_token_revocation,
              AccessTokenValidity: client.access_token_validity,
              IdTokenValidity: client.id_token_validity,
              RefreshTokenValidity: client.refresh_token_validity,
              TokenValidityUnits: units
                ? defined({
                    AccessToken: units.access_token,
                    IdToken: units.id_token,
                    RefreshToken: units.refresh_token,
                  })
                : undefined,
            }),
          };
        }),
    };
  });
}

/** Calls one action of the Cognito user pools API (`AWSCognitoIdentityProviderService.<action>`). */
export async function cognitoCall<T = Record<string, unknown>>(
  endpoint: string,
  action: string,
  input: Readonly<Record<string, unknown>>,
): Promise<T> {
  const response = await fetch(endpoint, {
    method: "POST",
    headers: {
      "content-type": "application/x-amz-json-1.1",
      "x-amz-target": `AWSCognitoIdentityProviderService.${action}`,
    },
    body: JSON.stringify(input),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`Cognito ${action} answered ${response.status}: ${text}`);
  return (text ? JSON.parse(text) : {}) as T;
}

/** A declared pool as it exists in the emulator. */
export interface LocalUserPool {
  readonly stack: string;
  readonly address: string;
  /** The local ARN the stacks' references resolve to. */
  readonly arn: string;
  readonly name: string;
  /** The emulator's id of the pool (`local_AbC123`). */
  readonly id: string;
  /** The `iss` of its tokens (`http://127.0.0.1:9229/local_AbC123`). */
  readonly issuer: string;
  readonly clients: readonly { readonly address: string; readonly name: string; readonly id: string }[];
}

/**
 * Creates each declared pool and client in the emulator at `endpoint`, unless one of the same name is
 * there already (a restart keeps the users and their passwords); returns them with the emulator's ids.
 */
export async function createUserPools(
  endpoint: string,
  stack: string,
  pools: readonly DeclaredUserPool[],
): Promise<LocalUserPool[]> {
  const existing = await cognitoCall<{ UserPools?: { Id: string; Name: string }[] }>(
    endpoint,
    "ListUserPools",
    {
      MaxResults: 60,
    },
  );
  const created: LocalUserPool[] = [];
  for (const pool of pools) {
    const id =
      existing.UserPools?.find((p) => p.Name === pool.input.PoolName)?.Id ??
      (await cognitoCall<{ UserPool: { Id: string } }>(endpoint, "CreateUserPool", pool.input)).UserPool.Id;
    const listed = await cognitoCall<{ UserPoolClients?: { ClientId: string; ClientName: string }[] }>(
      endpoint,
      "ListUserPoolClients",
      { UserPoolId: id, MaxResults: 60 },
    );
    const clients = [];
    for (const client of pool.clients) {
      const name = String(client.input.ClientName);
      const clientId =
        listed.UserPoolClients?.find((c) => c.ClientName === name)?.ClientId ??
        (
          await cognitoCall<{ UserPoolClient: { ClientId: string } }>(endpoint, "CreateUserPoolClient", {
            ...client.input,
            UserPoolId: id,
          })
        ).UserPoolClient.ClientId;
      clients.push({ address: client.address, name, id: clientId });
    }
    created.push({
      stack,
      address: pool.address,
      arn: pool.arn,
      name: pool.input.PoolName,
      id,
      issuer: `${endpoint}/${id}`,
      clients,
    });
  }
  return created;
}

/** The emulator's pools with their signing keys: what a local Cognito authorizer trusts. */
export interface LocalAuthorizers {
  readonly pools: readonly LocalUserPool[];
  /** The verdict of a route's authorizer on a token: only the pools it names (by ARN) are trusted. */
  authorize(authorizer: RouteAuthorizer, token: string): TokenVerdict;
}

/** Reads each pool's JWKS from the emulator (`/<pool id>/.well-known/jwks.json`). */
export async function localAuthorizers(
  endpoint: string,
  pools: readonly LocalUserPool[],
): Promise<LocalAuthorizers> {
  const trusted = new Map<string, TrustedPool>();
  for (const pool of pools) {
    const response = await fetch(`${endpoint}/${pool.id}/.well-known/jwks.json`, {
      signal: AbortSignal.timeout(10_000),
    });
    if (!response.ok)
      throw new Error(`${endpoint}/${pool.id}/.well-known/jwks.json answered ${response.status}`);
    const jwks = (await response.json()) as JsonWebKeySet;
    trusted.set(pool.arn, { issuer: pool.issuer, jwks, clientIds: pool.clients.map((c) => c.id) });
  }
  return {
    pools,
    authorize: (authorizer, token) => {
      const accepted = authorizer.providerArns.flatMap((arn) => trusted.get(arn) ?? []);
      if (accepted.length === 0) {
        return { ok: false, reason: `none of ${authorizer.providerArns.join(", ")} is a pool of this run` };
      }
      return verifyToken(token, accepted);
    },
  };
}
