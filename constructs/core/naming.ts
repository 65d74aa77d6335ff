/**
 * Naming rules shared by every construct, so addresses and physical names are decided in one place.
 *
 * Terraform addresses are part of our contract with reviewers: `cdktf diff` output and the synthesized
 * cdk.tf.json must read like hand-written HCL, and renaming a construct id replaces its resources.
 */

/** Converts a construct id (`getMovieLambda`, `get-movie-lambda`, `Get Movie`) to a snake_case Terraform name. */
export function tfName(id: string): string {
  const name = id
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1_$2")
    .replace(/[^A-Za-z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "")
    .toLowerCase();
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) {
    throw new Error(`Cannot derive a Terraform name from construct id "${id}"`);
  }
  return name;
}

/** The physical name of a resource in one environment: `<name>-<environment>` (`movie_infos-dev`). */
export function physicalName(name: string, environment: string): string {
  return derivedName(name, environment);
}

/** A name derived from another physical name: `<name>-<suffix>` (`upload-infos-dev-failures`). */
export function derivedName(name: string, suffix: string): string {
  return `${name}-${suffix}`;
}

/** The name of a service's alerts topic, before the environment is added: `<service>-alerts`. */
export function alertsTopicName(service: string): string {
  return derivedName(service, "alerts");
}

/** A globally unique name made unique by the account id: `<accountId>-<name>` (S3 bucket names). */
export function accountScopedName(accountId: string, name: string): string {
  return `${accountId}-${name}`;
}

/** The alias of a KMS key named after what it encrypts: `alias/<name>`. */
export function kmsAliasName(name: string): string {
  return `alias/${name}`;
}

/** The log groups AWS services write to, by the physical name of what writes. */
export const logGroupName = {
  /** `/aws/lambda/<functionName>`. */
  lambda: (functionName: string) => `/aws/lambda/${functionName}`,
  /** `/aws/vendedlogs/pipes/<pipeName>`. */
  pipe: (pipeName: string) => `/aws/vendedlogs/pipes/${pipeName}`,
  /** `/aws/vendedlogs/states/<stateMachineName>`: the prefix AWS recommends for vended logs. */
  stateMachine: (stateMachineName: string) => `/aws/vendedlogs/states/${stateMachineName}`,
  /** `/aws/apigateway/<apiName>/access-logs`. */
  apiAccessLogs: (apiName: string) => `/aws/apigateway/${apiName}/access-logs`,
  /** `/ecs/<serviceName>`: where an ECS service's containers log (the awslogs driver). */
  ecs: (serviceName: string) => `/ecs/${serviceName}`,
};
