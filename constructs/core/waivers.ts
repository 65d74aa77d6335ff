import type { IConstruct } from "constructs";

/**
 * Waivers of the guardrails (operations/guardrails.ts), in core so that a resource construct can set a
 * rule aside for one of its resources, with the reason, without depending on the guardrails themselves.
 */

/** The rules, by id. The id is what `Guardrails.waive` takes. */
export const GUARDRAIL_RULES = {
  "iam-wildcard-action": "name each action (service:Action); never `*` or `service:*`",
  "iam-wildcard-resource":
    "name the resource ARNs; only X-Ray's actions, which have no resource-level permissions, may use `*`",
  "s3-public-access-block":
    "add an aws_s3_bucket_public_access_block with all four switches on (IngestionBucket does)",
  "s3-encryption": "add an aws_s3_bucket_server_side_encryption_configuration (IngestionBucket does)",
  "s3-versioning": 'add an aws_s3_bucket_versioning with status "Enabled" (IngestionBucket does)',
  "s3-tls-only":
    "add a bucket policy denying requests where aws:SecureTransport is false (IngestionBucket does)",
  "dynamodb-encryption": "set server_side_encryption { enabled = true } (Table does)",
  "dynamodb-pitr": "set point_in_time_recovery { enabled = true } (Table does)",
  "lambda-log-group":
    "declare the function's log group /aws/lambda/<name> with retention_in_days (BundledFunction does)",
  "lambda-tracing": 'set tracing_config { mode = "Active" } (BundledFunction does)',
  "lambda-async-failure":
    "give the asynchronously invoked function an on-failure destination for the invoked qualifier (BundledFunction's asyncInvoke option) or a dead_letter_config",
  "lambda-sqs-source":
    'give a queue read by an event source mapping a redrive_policy (a DLQ after maxReceiveCount), and the mapping function_response_types = ["ReportBatchItemFailures"] (Queue and BundledFunction.addSqsEventSource do)',
  "api-throttling":
    'add an aws_api_gateway_method_settings for method_path "*/*" with throttling_rate_limit and throttling_burst_limit (RestApi does); for an HTTP API, set the stage\'s default_route_settings throttling (ContainerService does)',
  "api-access-logs": "set the stage's access_log_settings (destination_arn and format) (RestApi does)",
  "ecs-log-group":
    "give every container an awslogs logConfiguration whose awslogs-group is a declared log group with retention_in_days (ContainerService does)",
  "ecs-container-insights":
    'set the cluster\'s setting { name = "containerInsights", value = "enabled" } (ContainerService does)',
  "ecs-public-ip":
    "run the service in private subnets with network_configuration.assign_public_ip = false (ContainerService does)",
  "default-tags": "set the tags through the aws provider's default_tags (ServiceStack does)",
} as const;

export type GuardrailRule = keyof typeof GUARDRAIL_RULES;

const WAIVER = "guardrails:waiver";

/** A rule set aside for one construct (and everything below it), and why. */
export interface Waiver {
  readonly rule: GuardrailRule;
  readonly reason: string;
}

/** Sets `rule` aside for `scope` and every resource below it. `reason` is required and reported. */
export function waive(scope: IConstruct, rule: GuardrailRule, reason: string): void {
  if (!(rule in GUARDRAIL_RULES)) throw new Error(`Unknown guardrail rule "${rule}"`);
  if (reason.trim() === "") throw new Error(`Waiving "${rule}" on ${scope.node.path} needs a reason`);
  scope.node.addMetadata(WAIVER, { rule, reason } satisfies Waiver);
}

/** The waivers that apply to `construct`: its own and its scopes'. */
export function waiversOf(construct: IConstruct): Waiver[] {
  return construct.node.scopes.flatMap((scope) =>
    scope.node.metadata.filter((m) => m.type === WAIVER).map((m) => m.data as Waiver),
  );
}
