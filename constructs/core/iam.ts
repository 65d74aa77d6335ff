import { Construct } from "constructs";
import { TerraformStack } from "cdktf";
import { DataAwsCallerIdentity } from "@cdktf/provider-aws/lib/data-aws-caller-identity";
import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";

/** One IAM policy statement, in the shape reviewers read in HCL. */
export interface PolicyStatement {
  readonly sid?: string;
  readonly effect?: "Allow" | "Deny";
  readonly actions: readonly string[];
  readonly resources: readonly string[];
}

const ASSUME_ROLE_POLICY_ID = "iam_assume_role_policy";

/**
 * CloudWatch Logs' log-delivery actions, which Step Functions (and other vended-log services) needs to
 * deliver its logs: they have no resource-level permissions and only accept `Resource: "*"`.
 */
export const LOG_DELIVERY_WILDCARD_ACTIONS: readonly string[] = [
  "logs:CreateLogDelivery",
  "logs:DeleteLogDelivery",
  "logs:DescribeLogGroups",
  "logs:DescribeResourcePolicies",
  "logs:GetLogDelivery",
  "logs:ListLogDeliveries",
  "logs:PutResourcePolicy",
  "logs:UpdateLogDelivery",
];

/**
 * The stack's single `data.aws_iam_policy_document.iam_assume_role_policy` that lets Lambda assume a
 * role, created on first use and shared by every function of the stack (as in the workshop).
 */
export function lambdaAssumeRolePolicy(scope: Construct): DataAwsIamPolicyDocument {
  const stack = TerraformStack.of(scope);
  const existing = stack.node.tryFindChild(ASSUME_ROLE_POLICY_ID);
  if (existing instanceof DataAwsIamPolicyDocument) return existing;
  const document = new DataAwsIamPolicyDocument(stack, ASSUME_ROLE_POLICY_ID, {
    statement: [
      {
        effect: "Allow",
        principals: [{ type: "Service", identifiers: ["lambda.amazonaws.com"] }],
        actions: ["sts:AssumeRole"],
      },
    ],
  });
  return document;
}

const ECS_TASKS_ASSUME_ROLE_POLICY_ID = "ecs_tasks_assume_role_policy";

/**
 * The stack's single `data.aws_iam_policy_document.ecs_tasks_assume_role_policy` that lets ECS tasks
 * (`ecs-tasks.amazonaws.com`) assume a role, created on first use and shared by every task role of the stack.
 */
export function ecsTasksAssumeRolePolicy(scope: Construct): DataAwsIamPolicyDocument {
  const stack = TerraformStack.of(scope);
  const existing = stack.node.tryFindChild(ECS_TASKS_ASSUME_ROLE_POLICY_ID);
  if (existing instanceof DataAwsIamPolicyDocument) return existing;
  return new DataAwsIamPolicyDocument(stack, ECS_TASKS_ASSUME_ROLE_POLICY_ID, {
    statement: [
      {
        effect: "Allow",
        principals: [{ type: "Service", identifiers: ["ecs-tasks.amazonaws.com"] }],
        actions: ["sts:AssumeRole"],
      },
    ],
  });
}

const CALLER_IDENTITY_ID = "current";

/**
 * The stack's single `data.aws_caller_identity.current` (the account the stack is deployed to), created
 * on first use, so every construct that needs the account id shares one data source.
 */
export function callerIdentity(scope: Construct): DataAwsCallerIdentity {
  const stack = TerraformStack.of(scope);
  const existing = stack.node.tryFindChild(CALLER_IDENTITY_ID);
  if (existing instanceof DataAwsCallerIdentity) return existing;
  return new DataAwsCallerIdentity(stack, CALLER_IDENTITY_ID);
}

/** Converts our statements to the provider's shape, keeping their order (the order is reviewed). */
export function toDocumentStatements(statements: readonly PolicyStatement[]) {
  return statements.map((s) => ({
    ...(s.sid ? { sid: s.sid } : {}),
    effect: s.effect ?? "Allow",
    actions: [...s.actions],
    resources: [...s.resources],
  }));
}
