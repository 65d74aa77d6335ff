import { readFileSync } from "node:fs";
import { join } from "node:path";
import { publishedLinks } from "../tooling/service-links";
import { parseReference, type TerraformJson } from "../tooling/terraform-json";
import { decodeJsonencode, interpolationEnd, terraformJsonString } from "../tooling/hcl-expression";

export type { TerraformJson } from "../tooling/terraform-json";

/** Reads `<outdir>/stacks/<stack>/cdk.tf.json`, naming the command that writes it when it is missing. */
export function readStack(outdir: string, stack: string): TerraformJson {
  const path = join(outdir, "stacks", stack, "cdk.tf.json");
  try {
    return JSON.parse(readFileSync(path, "utf8")) as TerraformJson;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") {
      throw new Error(`No synthesized stack "${stack}" at ${path}: run \`npm run synth\` first`, {
        cause: error,
      });
    }
    throw error;
  }
}

/** The values a local run gives to what only AWS knows (account, region, computed attributes). */
export interface LocalValues {
  /** @default "000000000000" */
  readonly accountId?: string;
  /** @default AWS_REGION, else "eu-central-1" */
  readonly region?: string;
  /**
   * The values of the service links (SSM parameters `/movies-cdktf/<env>/<service>/<name>`) that
   * `data.aws_ssm_parameter.<x>.value` reads, by parameter name: see {@link resolvedLinks}.
   * @default none: reading a link fails, naming the parameter
   */
  readonly links?: ReadonlyMap<string, string>;
}

/**
 * What each link the given stacks publish resolves to locally, by parameter name: the producer's value
 * with its references resolved as its own stack would resolve them (`${aws_cognito_user_pool.x.arn}`
 * becomes the pool's local ARN). A consumer served beside its producer then reads what the producer
 * wrote, as it would on AWS after the producer's deploy (tooling/service-links.ts).
 */
export function resolvedLinks(
  stacks: readonly { readonly name: string; readonly json: TerraformJson }[],
  values: Omit<LocalValues, "links"> = {},
): Map<string, string> {
  const byName = new Map(stacks.map((s) => [s.name, s.json]));
  const resolved = new Map<string, string>();
  for (const link of publishedLinks(Object.fromEntries(byName)).values()) {
    const json = byName.get(link.stack) as TerraformJson;
    const region =
      values.region ?? (json as { provider?: { aws?: { region?: string }[] } }).provider?.aws?.[0]?.region;
    const resolver = new TerraformResolver(json, { ...values, ...(region ? { region } : {}) });
    resolved.set(link.parameter, resolver.resolveString(link.value));
  }
  return resolved;
}

/**
 * Resolves the Terraform references of a synthesized stack to stable local values, the way `apply`
 * would have filled them in: `${aws_dynamodb_table.movie_infos_table.name}` becomes the table's
 * configured name, `${data.aws_caller_identity.current.account_id}` the local account id, and computed
 * attributes (`arn`, `id`, `invoke_arn`, ...) get the shape AWS gives them, and a
 * `${jsonencode({...})}` the JSON string Terraform would make of its resolved value. Anything it cannot
 * resolve (other function calls, unknown attributes) fails with the expression in the message, never
 * silently.
 */
export class TerraformResolver {
  readonly accountId: string;
  readonly region: string;
  private readonly links: ReadonlyMap<string, string>;

  constructor(
    private readonly stack: TerraformJson,
    values: LocalValues = {},
  ) {
    this.accountId = values.accountId ?? "000000000000";
    this.region = values.region ?? process.env.AWS_REGION ?? "eu-central-1";
    this.links = values.links ?? new Map();
  }

  /** Every resource of `type`, by name. */
  resources(type: string): [string, Record<string, unknown>][] {
    return Object.entries(this.stack.resource?.[type] ?? {}).sort(([a], [b]) => a.localeCompare(b));
  }

  /** One resource's configuration, or an error naming the address. */
  config(type: string, name: string, data = false): Record<string, unknown> {
    const blocks = data ? this.stack.data : this.stack.resource;
    const config = blocks?.[type]?.[name];
    if (!config) throw new Error(`${data ? "data." : ""}${type}.${name} is not declared in the stack`);
    return config;
  }

  /** Resolves every interpolation in a value (strings, arrays and objects, deeply). */
  resolve(value: unknown): unknown {
    if (typeof value === "string") return this.resolveString(value);
    if (Array.isArray(value)) return value.map((v) => this.resolve(v));
    if (value && typeof value === "object") {
      return Object.fromEntries(
        Object.entries(value)
          .filter(([k]) => k !== "//")
          .map(([k, v]) => [k, this.resolve(v)]),
      );
    }
    return value;
  }

  /**
   * Resolves each `${...}` of a string. Braces are matched, past quoted strings, so an expression holding
   * braces (`${jsonencode({"a" = "}"})}`) is seen whole, never cut or left in place; `$${` is Terraform's
   * escape for a literal `${`.
   */
  resolveString(value: string): string {
    let resolved = "";
    let index = 0;
    for (;;) {
      const start = value.indexOf("${", index);
      if (start === -1) return resolved + value.slice(index);
      if (value[start - 1] === "$") {
        resolved += value.slice(index, start - 1) + "${";
        index = start + 2;
        continue;
      }
      const end = interpolationEnd(value, start);
      if (end === -1)
        throw new Error(`Cannot resolve ${value.slice(start)} locally: unterminated interpolation`);
      resolved += value.slice(index, start) + this.expression(value.slice(start + 2, end).trim());
      index = end + 1;
    }
  }

  /** The value of one `${...}` expression: a reference, or `jsonencode(...)` of values holding references. */
  expression(expression: string): string {
    if (!expression.startsWith("jsonencode(")) return this.reference(expression);
    return terraformJsonString(this.resolve(decodeJsonencode(`\${${expression}}`)));
  }

  /** The value of one reference expression (`aws_s3_bucket.movie_infos_bucket.bucket`). */
  reference(expression: string): string {
    const ref = parseReference(expression);
    if (!ref) throw new Error(`Cannot resolve \${${expression}} locally: only references are supported`);
    const { data, type, name, attribute } = ref;
    return data ? this.dataAttribute(type, name, attribute) : this.attribute(type, name, attribute);
  }

  /** A resource attribute: its configured value if set, else the value AWS would compute. */
  attribute(type: string, name: string, attribute: string): string {
    const config = this.config(type, name);
    const configured = config[attribute];
    if (typeof configured === "string" || typeof configured === "number") {
      return this.resolveString(String(configured));
    }
    const computed = this.computed(type, name, attribute);
    if (computed === undefined) {
      throw new Error(`Cannot resolve \${${type}.${name}.${attribute}} locally: unknown computed attribute`);
    }
    return computed;
  }

  private dataAttribute(type: string, name: string, attribute: string): string {
    const config = this.config(type, name, true);
    if (type === "aws_ssm_parameter" && (attribute === "value" || attribute === "insecure_value")) {
      const parameter = String(config.name);
      const value = this.links.get(parameter);
      if (value === undefined) {
        // `/movies-cdktf/<environment>/<service>/<name>`: the producer's stack is `<service>-<environment>`.
        const [, , environment, service] = parameter.split("/");
        const producer = service && environment ? `--stack ${service}-${environment}` : "its stack";
        throw new Error(
          `Cannot resolve \${data.${type}.${name}.${attribute}} locally: ${parameter} is published by none of ` +
            `the stacks served (serve its producer too: ${producer})`,
        );
      }
      return value;
    }
    if (type === "aws_caller_identity" && attribute === "account_id") return this.accountId;
    if (type === "aws_region" && (attribute === "name" || attribute === "region")) return this.region;
    if (type === "aws_partition" && attribute === "partition") return "aws";
    throw new Error(`Cannot resolve \${data.${type}.${name}.${attribute}} locally`);
  }

  private computed(type: string, name: string, attribute: string): string | undefined {
    const at = (attr: string) => this.attribute(type, name, attr);
    const arn = (service: string, resource: string) =>
      `arn:aws:${service}:${this.region}:${this.accountId}:${resource}`;
    switch (`${type}.${attribute}`) {
      case "aws_dynamodb_table.id":
        return at("name");
      case "aws_dynamodb_table.arn":
        return arn("dynamodb", `table/${at("name")}`);
      case "aws_dynamodb_table.stream_arn":
        return `${at("arn")}/stream/local`;
      case "aws_s3_bucket.id":
        return at("bucket");
      case "aws_s3_bucket.arn":
        return `arn:aws:s3:::${at("bucket")}`;
      case "aws_lambda_function.arn":
      case "aws_lambda_function.qualified_arn":
        return arn("lambda", `function:${at("function_name")}`);
      case "aws_lambda_function.invoke_arn":
        return `arn:aws:apigateway:${this.region}:lambda:path/2015-03-31/functions/${at("arn")}/invocations`;
      case "aws_lambda_function.version":
        return "1";
      case "aws_lambda_alias.arn": {
        const fn = at("function_name");
        return `${fn.startsWith("arn:") ? fn : arn("lambda", `function:${fn}`)}:${at("name")}`;
      }
      case "aws_lambda_alias.invoke_arn":
        return `arn:aws:apigateway:${this.region}:lambda:path/2015-03-31/functions/${at("arn")}/invocations`;
      case "aws_sqs_queue.id":
      case "aws_sqs_queue.url":
        return `https://sqs.${this.region}.amazonaws.com/${this.accountId}/${at("name")}`;
      case "aws_sqs_queue.arn":
        return arn("sqs", at("name"));
      case "aws_sns_topic.id":
      case "aws_sns_topic.arn":
        return arn("sns", at("name"));
      case "aws_kms_key.id":
      case "aws_kms_key.key_id":
        return `local-${name}`;
      case "aws_kms_key.arn":
        return arn("kms", `key/local-${name}`);
      case "aws_cloudwatch_event_bus.arn":
        return arn("events", `event-bus/${at("name")}`);
      case "aws_cloudwatch_log_group.arn":
        return arn("logs", `log-group:${at("name")}`);
      case "aws_sfn_state_machine.id":
      case "aws_sfn_state_machine.arn":
        return arn("states", `stateMachine:${at("name")}`);
      case "aws_api_gateway_rest_api.id":
        return `local-${name}`;
      // A user pool's local id and ARN name the resource; the Cognito emulator's own pool id differs,
      // and local/cognito.ts maps one to the other.
      case "aws_cognito_user_pool.id":
        return `${this.region}_local_${name}`;
      case "aws_cognito_user_pool.arn":
        return arn("cognito-idp", `userpool/${at("id")}`);
      case "aws_cognito_user_pool.endpoint":
        return `cognito-idp.${this.region}.amazonaws.com/${at("id")}`;
      case "aws_cognito_user_pool_client.id":
        return `local-${name}`;
      default:
        return undefined;
    }
  }
}
