/**
 * The guardrail rules, as pure functions over the stack's resolved Terraform configuration (what
 * cdk.tf.json will hold, overrides included), so a rule sees exactly what Terraform will apply.
 */
import { decodeJsonencode, isJsonencode } from "../tooling/hcl-expression";

import type { GuardrailRule } from "../constructs/core/waivers";
import { LOG_DELIVERY_WILDCARD_ACTIONS } from "../constructs/core/iam";
import { logGroupName } from "../constructs/core/naming";
import { refersTo } from "../tooling/terraform-json";

export { GUARDRAIL_RULES, type GuardrailRule } from "../constructs/core/waivers";

/** The tags every resource carries, through the provider's default_tags. */
export const REQUIRED_TAGS = ["project", "environment", "service", "managed-by"] as const;

/** X-Ray's actions that only accept `Resource: "*"`. */
export const XRAY_WILDCARD_ACTIONS: readonly string[] = [
  "xray:PutTraceSegments",
  "xray:PutTelemetryRecords",
  "xray:GetSamplingRules",
  "xray:GetSamplingTargets",
  "xray:GetSamplingStatisticSummaries",
];

/** Services that invoke Lambda asynchronously, through a resource-based permission. */
export const ASYNC_INVOKERS: readonly string[] = [
  "s3.amazonaws.com",
  "sns.amazonaws.com",
  "events.amazonaws.com",
  "logs.amazonaws.com",
  "ses.amazonaws.com",
  "iot.amazonaws.com",
  "config.amazonaws.com",
  "codecommit.amazonaws.com",
  "lambda.alarms.cloudwatch.amazonaws.com",
];

type Config = Readonly<Record<string, unknown>>;

/** One Terraform block of the stack, resolved. */
export interface ElementView {
  /** `aws_s3_bucket.movie_infos_bucket`, `data.aws_iam_policy_document.x`, `provider.aws` (or `provider.aws.<alias>`). */
  readonly address: string;
  readonly kind: "resource" | "data" | "provider";
  readonly type: string;
  readonly config: Config;
  /** Whether the resource type takes `tags`. */
  readonly taggable: boolean;
}

/** One broken rule. */
export interface Violation {
  readonly address: string;
  readonly rule: GuardrailRule;
  /** What is wrong, for this address. */
  readonly problem: string;
}

/** Evaluates every rule over a stack's elements; violations come ordered by address, then rule. */
export function evaluateRules(elements: readonly ElementView[]): Violation[] {
  const stack = new StackView(elements);
  const violations = [
    ...iamRules(stack),
    ...s3Rules(stack),
    ...dynamodbRules(stack),
    ...lambdaRules(stack),
    ...sqsSourceRules(stack),
    ...apiRules(stack),
    ...httpApiRules(stack),
    ...ecsRules(stack),
    ...tagRules(stack),
  ];
  return violations.sort((a, b) => a.address.localeCompare(b.address) || a.rule.localeCompare(b.rule));
}

class StackView {
  constructor(readonly elements: readonly ElementView[]) {}

  resources(type: string): ElementView[] {
    return this.elements.filter((e) => e.kind === "resource" && e.type === type);
  }

  data(type: string): ElementView[] {
    return this.elements.filter((e) => e.kind === "data" && e.type === type);
  }

  /** Resources of `type` whose `field` refers to `address` (`${aws_s3_bucket.x.id}`, `.bucket`, `.arn`). */
  referring(type: string, field: string, address: string): ElementView[] {
    return this.resources(type).filter((e) => refersTo(e.config[field], address));
  }
}

function blocks(value: unknown): Config[] {
  if (Array.isArray(value)) return value.filter(isObject);
  return isObject(value) ? [value] : [];
}

function block(value: unknown): Config {
  return blocks(value)[0] ?? {};
}

function isObject(value: unknown): value is Config {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function strings(value: unknown): string[] {
  if (typeof value === "string") return [value];
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
}

const violation = (address: string, rule: GuardrailRule, problem: string): Violation => ({
  address,
  rule,
  problem,
});

/** Statements of policy documents and of literal JSON policies, with where they come from. */
interface Statement {
  readonly address: string;
  readonly effect: string;
  readonly actions: string[];
  readonly resources: string[];
  readonly keyPolicy: boolean;
}

function iamRules(stack: StackView): Violation[] {
  const keyPolicies = stack.resources("aws_kms_key").map((key) => key.config.policy);
  const statements: Statement[] = [];
  for (const document of stack.data("aws_iam_policy_document")) {
    const keyPolicy = keyPolicies.some((policy) => refersTo(policy, document.address));
    for (const s of blocks(document.config.statement)) {
      statements.push({
        address: document.address,
        effect: typeof s.effect === "string" ? s.effect : "Allow",
        actions: strings(s.actions),
        resources: strings(s.resources),
        keyPolicy,
      });
    }
  }
  for (const type of [
    "aws_iam_policy",
    "aws_iam_role_policy",
    "aws_iam_user_policy",
    "aws_iam_group_policy",
  ]) {
    for (const policy of stack.resources(type)) {
      for (const s of literalPolicyStatements(policy.config.policy)) {
        statements.push({
          address: policy.address,
          effect: typeof s.Effect === "string" ? s.Effect : "Allow",
          actions: strings(s.Action),
          resources: strings(s.Resource),
          keyPolicy: false,
        });
      }
    }
  }
  const violations: Violation[] = [];
  for (const s of statements) {
    if (s.effect !== "Allow") continue;
    for (const action of s.actions.filter((a) => a.includes("*"))) {
      violations.push(violation(s.address, "iam-wildcard-action", `allows action "${action}"`));
    }
    // In a key policy, "*" means the key the policy is attached to.
    const onlyXray = s.actions.length > 0 && s.actions.every((a) => XRAY_WILDCARD_ACTIONS.includes(a));
    const onlyLogDelivery =
      s.actions.length > 0 && s.actions.every((a) => LOG_DELIVERY_WILDCARD_ACTIONS.includes(a));
    if (s.resources.includes("*") && !onlyXray && !onlyLogDelivery && !s.keyPolicy) {
      violations.push(
        violation(s.address, "iam-wildcard-resource", `allows ${s.actions.join(", ")} on resource "*"`),
      );
    }
  }
  return dedupe(violations);
}

/**
 * The statements of a policy written in place: with `jsonencode` (references in it read as `${...}`
 * strings) or as a JSON literal. A reference to a document (`${data...json}`) yields none: the document's
 * own statements are checked.
 */
function literalPolicyStatements(policy: unknown): Config[] {
  const parsed = isJsonencode(policy) ? decodeJsonencode(policy) : parseJsonLiteral(policy);
  return isObject(parsed) ? blocks(parsed.Statement) : [];
}

function parseJsonLiteral(value: unknown): unknown {
  if (typeof value !== "string" || value.includes("${")) return undefined;
  try {
    return JSON.parse(value);
  } catch {
    return undefined;
  }
}

function dedupe(violations: Violation[]): Violation[] {
  const seen = new Set<string>();
  return violations.filter((v) => {
    const key = `${v.address}|${v.rule}|${v.problem}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function s3Rules(stack: StackView): Violation[] {
  const violations: Violation[] = [];
  for (const bucket of stack.resources("aws_s3_bucket")) {
    const on = (type: string) => stack.referring(type, "bucket", bucket.address);
    const pab = on("aws_s3_bucket_public_access_block").some((p) =>
      ["block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"].every(
        (flag) => p.config[flag] === true,
      ),
    );
    if (!pab)
      violations.push(violation(bucket.address, "s3-public-access-block", "has no full public access block"));
    const encrypted = on("aws_s3_bucket_server_side_encryption_configuration").some((c) =>
      blocks(c.config.rule).some(
        (r) => typeof block(r.apply_server_side_encryption_by_default).sse_algorithm === "string",
      ),
    );
    if (!encrypted) violations.push(violation(bucket.address, "s3-encryption", "has no default encryption"));
    const versioned = on("aws_s3_bucket_versioning").some(
      (v) => block(v.config.versioning_configuration).status === "Enabled",
    );
    if (!versioned) violations.push(violation(bucket.address, "s3-versioning", "is not versioned"));
    const tlsOnly = on("aws_s3_bucket_policy").some((p) => deniesInsecureTransport(stack, p.config.policy));
    if (!tlsOnly) violations.push(violation(bucket.address, "s3-tls-only", "accepts requests without TLS"));
  }
  return violations;
}

function deniesInsecureTransport(stack: StackView, policy: unknown): boolean {
  const documents = stack.data("aws_iam_policy_document").filter((d) => refersTo(policy, d.address));
  const fromDocuments = documents.some((d) =>
    blocks(d.config.statement).some(
      (s) =>
        s.effect === "Deny" &&
        blocks(s.condition).some(
          (c) =>
            c.test === "Bool" && c.variable === "aws:SecureTransport" && strings(c.values).includes("false"),
        ),
    ),
  );
  const fromLiteral = literalPolicyStatements(policy).some((s) => {
    const bool = block(block(s.Condition).Bool);
    return s.Effect === "Deny" && String(bool["aws:SecureTransport"]) === "false";
  });
  return fromDocuments || fromLiteral;
}

function dynamodbRules(stack: StackView): Violation[] {
  const violations: Violation[] = [];
  for (const table of stack.resources("aws_dynamodb_table")) {
    if (block(table.config.server_side_encryption).enabled !== true) {
      violations.push(violation(table.address, "dynamodb-encryption", "has no server-side encryption"));
    }
    if (block(table.config.point_in_time_recovery).enabled !== true) {
      violations.push(violation(table.address, "dynamodb-pitr", "has no point-in-time recovery"));
    }
  }
  return violations;
}

function lambdaRules(stack: StackView): Violation[] {
  const violations: Violation[] = [];
  const logGroups = stack.resources("aws_cloudwatch_log_group");
  for (const fn of stack.resources("aws_lambda_function")) {
    const functionName = fn.config.function_name;
    const configured = block(fn.config.logging_config).log_group;
    const expected = typeof configured === "string" ? configured : logGroupName.lambda(String(functionName));
    const logGroup = logGroups.find((g) => g.config.name === expected || refersTo(expected, g.address));
    if (!logGroup) {
      violations.push(violation(fn.address, "lambda-log-group", `has no declared log group ${expected}`));
    } else if (
      typeof logGroup.config.retention_in_days !== "number" ||
      logGroup.config.retention_in_days <= 0
    ) {
      violations.push(
        violation(fn.address, "lambda-log-group", `log group ${logGroup.address} keeps logs forever`),
      );
    }
    if (block(fn.config.tracing_config).mode !== "Active") {
      violations.push(violation(fn.address, "lambda-tracing", "has no active X-Ray tracing"));
    }
    const targetsFn = (value: unknown) =>
      refersTo(value, fn.address) || (typeof functionName === "string" && value === functionName);
    const asyncQualifiers = stack
      .resources("aws_lambda_permission")
      .filter((p) => ASYNC_INVOKERS.includes(String(p.config.principal)) && targetsFn(p.config.function_name))
      .map((p) => (typeof p.config.qualifier === "string" ? p.config.qualifier : undefined));
    if (asyncQualifiers.length === 0) continue;
    const hasDlq = typeof block(fn.config.dead_letter_config).target_arn === "string";
    const covered = (qualifier: string | undefined) =>
      hasDlq ||
      stack
        .resources("aws_lambda_function_event_invoke_config")
        .some(
          (c) =>
            targetsFn(c.config.function_name) &&
            c.config.qualifier === qualifier &&
            typeof block(block(c.config.destination_config).on_failure).destination === "string",
        );
    for (const qualifier of new Set(asyncQualifiers)) {
      if (!covered(qualifier)) {
        const what = qualifier === undefined ? "" : ` (qualifier ${qualifier})`;
        violations.push(
          violation(
            fn.address,
            "lambda-async-failure",
            `is invoked asynchronously${what} with no failure destination`,
          ),
        );
      }
    }
  }
  return violations;
}

/**
 * A queue that a function reads must bound its retries: without a redrive policy a message that always fails
 * (a poison message) is received again until it expires, and without partial batch responses one bad record
 * makes the whole batch come back, redoing what succeeded.
 */
function sqsSourceRules(stack: StackView): Violation[] {
  const violations: Violation[] = [];
  for (const mapping of stack.resources("aws_lambda_event_source_mapping")) {
    const queue = stack
      .resources("aws_sqs_queue")
      .find((q) => refersTo(mapping.config.event_source_arn, q.address));
    if (!queue) continue;
    if (queue.config.redrive_policy === undefined) {
      violations.push(
        violation(
          queue.address,
          "lambda-sqs-source",
          `is read by ${mapping.address} and has no redrive policy`,
        ),
      );
    }
    if (!strings(mapping.config.function_response_types).includes("ReportBatchItemFailures")) {
      violations.push(
        violation(mapping.address, "lambda-sqs-source", "retries the whole batch when one record fails"),
      );
    }
  }
  return violations;
}

function apiRules(stack: StackView): Violation[] {
  const violations: Violation[] = [];
  for (const stage of stack.resources("aws_api_gateway_stage")) {
    const throttled = stack.resources("aws_api_gateway_method_settings").some((m) => {
      const settings = block(m.config.settings);
      const sameStage =
        refersTo(m.config.stage_name, stage.address) ||
        (m.config.stage_name === stage.config.stage_name &&
          m.config.rest_api_id === stage.config.rest_api_id);
      const limit = (value: unknown) => typeof value === "number" && value >= 0;
      return (
        sameStage &&
        m.config.method_path === "*/*" &&
        limit(settings.throttling_rate_limit) &&
        limit(settings.throttling_burst_limit)
      );
    });
    if (!throttled)
      violations.push(violation(stage.address, "api-throttling", "has no stage-wide method throttling"));
    const logs = block(stage.config.access_log_settings);
    if (typeof logs.destination_arn !== "string" || typeof logs.format !== "string" || logs.format === "") {
      violations.push(violation(stage.address, "api-access-logs", "writes no access logs"));
    }
  }
  return violations;
}

/** HTTP APIs (API Gateway v2): the stage throttles every route and writes access logs. */
function httpApiRules(stack: StackView): Violation[] {
  const violations: Violation[] = [];
  for (const stage of stack.resources("aws_apigatewayv2_stage")) {
    const settings = block(stage.config.default_route_settings);
    const limit = (value: unknown) => typeof value === "number" && value >= 0;
    if (!limit(settings.throttling_rate_limit) || !limit(settings.throttling_burst_limit)) {
      violations.push(violation(stage.address, "api-throttling", "has no default route throttling"));
    }
    const logs = block(stage.config.access_log_settings);
    if (typeof logs.destination_arn !== "string" || typeof logs.format !== "string" || logs.format === "") {
      violations.push(violation(stage.address, "api-access-logs", "writes no access logs"));
    }
  }
  return violations;
}

/** The containers of a task definition (`container_definitions`, jsonencode or a JSON literal). */
function containerDefinitions(value: unknown): Config[] {
  const parsed = isJsonencode(value) ? decodeJsonencode(value) : parseJsonLiteral(value);
  return Array.isArray(parsed) ? parsed.filter(isObject) : [];
}

/** ECS: containers log to a log group with retention; clusters have Container Insights; no public IPs. */
function ecsRules(stack: StackView): Violation[] {
  const violations: Violation[] = [];
  const logGroups = stack.resources("aws_cloudwatch_log_group");
  for (const task of stack.resources("aws_ecs_task_definition")) {
    for (const container of containerDefinitions(task.config.container_definitions)) {
      const logging = block(container.logConfiguration);
      const group = block(logging.options)["awslogs-group"];
      const declared = logGroups.find((g) => g.config.name === group || refersTo(group, g.address));
      const name = String(container.name);
      if (logging.logDriver !== "awslogs" || declared === undefined) {
        violations.push(
          violation(task.address, "ecs-log-group", `container ${name} logs to no declared log group`),
        );
      } else if (
        typeof declared.config.retention_in_days !== "number" ||
        declared.config.retention_in_days <= 0
      ) {
        violations.push(
          violation(task.address, "ecs-log-group", `log group ${declared.address} keeps logs forever`),
        );
      }
    }
  }
  for (const cluster of stack.resources("aws_ecs_cluster")) {
    const insights = blocks(cluster.config.setting).some(
      (s) => s.name === "containerInsights" && ["enabled", "enhanced"].includes(String(s.value)),
    );
    if (!insights) {
      violations.push(violation(cluster.address, "ecs-container-insights", "has Container Insights off"));
    }
  }
  for (const service of stack.resources("aws_ecs_service")) {
    if (block(service.config.network_configuration).assign_public_ip === true) {
      violations.push(violation(service.address, "ecs-public-ip", "gives its tasks public IP addresses"));
    }
  }
  return violations;
}

function tagRules(stack: StackView): Violation[] {
  const defaultTags = new Map<string, string[]>();
  for (const provider of stack.elements.filter((e) => e.kind === "provider" && e.type === "aws")) {
    const alias = typeof provider.config.alias === "string" ? `aws.${provider.config.alias}` : "aws";
    defaultTags.set(
      alias,
      blocks(provider.config.default_tags).flatMap((t) => Object.keys(block(t.tags))),
    );
  }
  const violations: Violation[] = [];
  for (const resource of stack.elements) {
    if (resource.kind !== "resource" || !resource.taggable || !resource.type.startsWith("aws_")) continue;
    const provider = typeof resource.config.provider === "string" ? resource.config.provider : "aws";
    const tags = new Set([...(defaultTags.get(provider) ?? []), ...Object.keys(block(resource.config.tags))]);
    const missing = REQUIRED_TAGS.filter((tag) => !tags.has(tag));
    if (missing.length > 0) {
      violations.push(violation(resource.address, "default-tags", `lacks tags ${missing.join(", ")}`));
    }
  }
  return violations;
}
