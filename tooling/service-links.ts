/**
 * How the services' stacks find each other: a producer publishes a value (a user pool's ARN, a bus's name)
 * as an SSM parameter `/movies-cdktf/<environment>/<service>/<name>`, and a consumer reads it with an
 * `aws_ssm_parameter` data source. One mechanism everywhere: the stacks deploy on their own (no shared
 * state, no `terraform_remote_state` reaching into another stack's state file), the deploy order is just
 * "producer first", and a reviewer sees each dependency as a named parameter in the plan.
 *
 * This module is the naming rule and the reader of what synthesized stacks publish; the constructs that
 * write and read the parameters are in constructs/service-link.ts. The offline plan (review/) and the
 * local runner (local/) answer a consumer's lookup from the producers' synthesized JSON through
 * {@link publishedLinks}.
 */
import { referenceOf, type TerraformJson } from "./terraform-json";

/** The first segment of every link parameter's name. */
export const LINK_PARAMETER_ROOT = "/movies-cdktf";

/** Who publishes a link, and under which name. */
export interface LinkName {
  /** The environment both stacks belong to (`dev`). */
  readonly environment: string;
  /** The publishing service (`auth`). */
  readonly service: string;
  /** What is published, in kebab-case (`user-pool-arn`). */
  readonly name: string;
}

const SEGMENT = /^[a-z0-9][a-z0-9-]*$/;

/** `/movies-cdktf/<environment>/<service>/<name>`; each part lowercase letters, digits and dashes. */
export function linkParameterName(link: LinkName): string {
  const { environment, service, name } = link;
  for (const [field, value] of Object.entries({ environment, service, name })) {
    if (!SEGMENT.test(value)) {
      throw new Error(`A link's ${field} must be lowercase letters, digits and dashes, not "${value}"`);
    }
  }
  return `${LINK_PARAMETER_ROOT}/${environment}/${service}/${name}`;
}

/** One published link, as a synthesized stack declares it. */
export interface PublishedLink {
  /** The parameter's name. */
  readonly parameter: string;
  /** The stack that publishes it. */
  readonly stack: string;
  /** The value as written in cdk.tf.json: a literal, or an expression (`${aws_cognito_user_pool.x.arn}`). */
  readonly value: string;
  /** The resource attribute the value is, when it is exactly one reference (`aws_cognito_user_pool.x.arn`). */
  readonly reference?: { readonly type: string; readonly name: string; readonly attribute: string };
}

/** Every link the given stacks publish, by parameter name; a name published twice is an error. */
export function publishedLinks(stacks: Readonly<Record<string, TerraformJson>>): Map<string, PublishedLink> {
  const links = new Map<string, PublishedLink>();
  for (const [stack, json] of Object.entries(stacks)) {
    for (const config of Object.values(json.resource?.aws_ssm_parameter ?? {})) {
      const parameter = config.name;
      if (typeof parameter !== "string" || !parameter.startsWith(`${LINK_PARAMETER_ROOT}/`)) continue;
      const value = String(config.value ?? config.insecure_value ?? "");
      const earlier = links.get(parameter);
      if (earlier) {
        throw new Error(`${parameter} is published by both ${earlier.stack} and ${stack}`);
      }
      const reference = referenceOf(value);
      links.set(parameter, {
        parameter,
        stack,
        value,
        ...(reference && !reference.data
          ? { reference: { type: reference.type, name: reference.name, attribute: reference.attribute } }
          : {}),
      });
    }
  }
  return links;
}

/** The parameter names the given stack reads through `aws_ssm_parameter` data sources. */
export function consumedLinks(json: TerraformJson): string[] {
  return Object.values(json.data?.aws_ssm_parameter ?? {})
    .map((config) => config.name)
    .filter((name): name is string => typeof name === "string" && name.startsWith(`${LINK_PARAMETER_ROOT}/`));
}
