/**
 * The Terraform addresses each of our constructs creates, from the construct's id (its snake_case
 * Terraform name), including the alarms the stack's monitoring adds for it. Stack tests compose their
 * address list from these and the construct ids, so one address rule is written once.
 */

const alarm = (name: string) => `aws_cloudwatch_metric_alarm.${name}`;
const document = (name: string) => `data.aws_iam_policy_document.${name}`;

/** What every service stack has: the account id lookup, the dashboard and the alerts topic. */
export function serviceStack(): string[] {
  return ["data.aws_caller_identity.current", "aws_cloudwatch_dashboard.dashboard", ...topic("alerts")];
}

/** A role a service assumes, with its least-privilege policy and its log group (`ServiceRole`). */
function serviceRole(t: string, logGroup: string): string[] {
  return [
    `aws_iam_role.${t}_role`,
    `aws_iam_policy.${t}_policy`,
    `aws_iam_role_policy_attachment.${t}_policy_attachment`,
    document(`${t}_policy_document`),
    `aws_cloudwatch_log_group.${t}_${logGroup}`,
  ];
}

/**
 * A `BundledFunction`; `failures` when it is invoked asynchronously with an on-failure queue (and so
 * watched for lost events), `api` when an API routes to it (its ERROR log lines are counted and alarmed
 * on), `batch` when SQS feeds it with partial batch responses (the same). Functions share one assume-role
 * document.
 */
export function bundledFunction(
  t: string,
  options: { failures?: boolean; api?: boolean; batch?: boolean } = {},
): string[] {
  return [
    `aws_lambda_function.${t}`,
    `aws_lambda_alias.${t}_live`,
    document("iam_assume_role_policy"),
    ...serviceRole(t, "log_group"),
    alarm(`${t}_errors`),
    alarm(`${t}_throttles`),
    ...(options.failures
      ? [
          `aws_lambda_function_event_invoke_config.${t}_async_invoke`,
          ...failureQueue(`${t}_failures`),
          alarm(`${t}_destination_delivery_failures`),
          alarm(`${t}_async_events_dropped`),
        ]
      : []),
    ...(options.api || options.batch
      ? [`aws_cloudwatch_log_metric_filter.${t}_error_logs`, alarm(`${t}_error_logs`)]
      : []),
  ];
}

/** A `Table`. */
export function table(t: string): string[] {
  return [`aws_dynamodb_table.${t}`, alarm(`${t}_throttles`)];
}

/** An `IngestionBucket` (`SecureBucket` with a TLS-only policy, noncurrent versions expired) notifying `fn`. */
export function ingestionBucket(t: string, fn: string, notification: string): string[] {
  return [
    `aws_s3_bucket.${t}`,
    `aws_s3_bucket_lifecycle_configuration.${t}_lifecycle`,
    `aws_s3_bucket_ownership_controls.${t}_ownership_controls`,
    `aws_s3_bucket_policy.${t}_policy`,
    `aws_s3_bucket_public_access_block.${t}_public_access_block`,
    `aws_s3_bucket_server_side_encryption_configuration.${t}_encryption`,
    `aws_s3_bucket_versioning.${t}_versioning`,
    document(`${t}_tls_only_policy_document`),
    `aws_lambda_permission.allow_${t}_to_invoke_${fn}`,
    `aws_s3_bucket_notification.${notification}`,
  ];
}

/** A `RestApi` with its path `resources`, Lambda `routes` and the routes' request `models`. */
export function restApi(
  t: string,
  parts: { resources: string[]; routes: string[]; models: string[] },
): string[] {
  return [
    `aws_api_gateway_rest_api.${t}`,
    `aws_api_gateway_deployment.${t}_deployment`,
    `aws_api_gateway_stage.${t}_stage`,
    `aws_api_gateway_gateway_response.${t}_bad_request_body`,
    `aws_api_gateway_gateway_response.${t}_bad_request_parameters`,
    `aws_api_gateway_method_settings.${t}_method_settings`,
    `aws_api_gateway_request_validator.${t}_request_validator`,
    `aws_cloudwatch_log_group.${t}_access_logs`,
    alarm(`${t}_5xx_errors`),
    alarm(`${t}_p99_latency`),
    ...parts.resources.map((r) => `aws_api_gateway_resource.${r}`),
    ...parts.routes.flatMap((r) => [
      `aws_api_gateway_method.${r}_method`,
      `aws_api_gateway_integration.${r}_integration`,
      `aws_lambda_permission.${r}_permission`,
    ]),
    ...parts.models.map((r) => `aws_api_gateway_model.${r}_model`),
  ];
}

/** What an EventBridge rule target adds to admit the rules: `<resource>_policy` and its document. */
function ruleTargetPolicy(resource: string, t: string): string[] {
  return [`${resource}.${t}_policy`, document(`${t}_policy_document`)];
}

/** A `Topic` with its own key; `ruleTarget` when EventBridge rules publish to it. */
export function topic(t: string, options: { ruleTarget?: boolean } = {}): string[] {
  return [
    `aws_sns_topic.${t}`,
    `aws_kms_key.${t}_key`,
    `aws_kms_alias.${t}_key_alias`,
    document(`${t}_key_policy_document`),
    ...(options.ruleTarget ? ruleTargetPolicy("aws_sns_topic_policy", t) : []),
  ];
}

/** A `FailureQueue`; `ruleTarget` when EventBridge rules send to it. */
export function failureQueue(t: string, options: { ruleTarget?: boolean } = {}): string[] {
  return [
    `aws_sqs_queue.${t}`,
    alarm(`${t}_not_empty`),
    ...(options.ruleTarget ? ruleTargetPolicy("aws_sqs_queue_policy", t) : []),
  ];
}

/** A `Queue` with its dead-letter queue; `ruleTarget` when EventBridge rules send to it. */
export function queue(t: string, options: { ruleTarget?: boolean } = {}): string[] {
  return [
    `aws_sqs_queue.${t}`,
    `aws_sqs_queue.${t}_dlq`,
    `aws_sqs_queue_redrive_allow_policy.${t}_dlq_redrive_allow_policy`,
    alarm(`${t}_dlq_not_empty`),
    alarm(`${t}_oldest_message_age`),
    ...(options.ruleTarget ? ruleTargetPolicy("aws_sqs_queue_policy", t) : []),
  ];
}

/** An `EventBus`. */
export function eventBus(t: string): string[] {
  return [`aws_cloudwatch_event_bus.${t}`];
}

/** An `EventRule` with its `targets` and its dead-letter queue. */
export function eventRule(t: string, targets: string[]): string[] {
  return [
    `aws_cloudwatch_event_rule.${t}`,
    ...targets.map((target) => `aws_cloudwatch_event_target.${target}`),
    ...failureQueue(`${t}_dlq`, { ruleTarget: true }),
  ];
}

/** A `TableStreamPipe` with its role and dead-letter queue. */
export function tableStreamPipe(t: string): string[] {
  return [
    `aws_pipes_pipe.${t}`,
    document(`${t}_assume_role_policy`),
    ...serviceRole(t, "log_group"),
    ...failureQueue(`${t}_dlq`),
    alarm(`${t}_execution_failed`),
  ];
}

/** An `IngestionStateMachine` with its role and log group, alarmed on executions that did not succeed. */
export function ingestionStateMachine(t: string): string[] {
  return [
    `aws_sfn_state_machine.${t}`,
    document(`${t}_assume_role_policy`),
    ...serviceRole(t, "log_group"),
    alarm(`${t}_executions_failed`),
    alarm(`${t}_executions_timed_out`),
    alarm(`${t}_executions_aborted`),
  ];
}

/** Addresses, each once, sorted as `resourceAddresses` sorts them. */
export function addressList(...groups: string[][]): string[] {
  return [...new Set(groups.flat())].sort();
}
