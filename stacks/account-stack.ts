import { Construct } from "constructs";
import { TerraformOutput, TerraformStack } from "cdktf";
import { ApiGatewayAccount } from "@cdktf/provider-aws/lib/api-gateway-account";
import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { DataAwsPartition } from "@cdktf/provider-aws/lib/data-aws-partition";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { derivedName } from "../constructs/core/naming";
import type { StateBackendConfig } from "./config";
import { readableHcl } from "./hcl";
import { useS3Backend } from "./remote-state";

export interface AccountStackProps {
  /** The region the settings apply to (API Gateway's account settings are per region). */
  readonly region: string;
  /**
   * The account; when set, the provider refuses any other.
   * @default any account the credentials belong to
   */
  readonly accountId?: string;
  /** Where the stack keeps its state (key `account/<id>.tfstate`). */
  readonly state: StateBackendConfig;
}

/** The AWS managed policy that lets API Gateway create log groups and write access and execution logs. */
export const API_GATEWAY_LOGS_POLICY = "service-role/AmazonAPIGatewayPushToCloudWatchLogs";

/** `account-<region>`, or `account-<account>-<region>` when the account is configured. */
export function accountStackId(region: string, accountId?: string): string {
  return accountId ? derivedName(derivedName("account", accountId), region) : derivedName("account", region);
}

/**
 * What an account needs once per region before any service stack is deployed there, and that no service
 * stack can own (it is one setting shared by every API and environment of the account and region: two
 * stacks would fight over it, and destroying one would break the others):
 *
 * - `aws_api_gateway_account.account`: API Gateway's CloudWatch Logs role. Until it is set, creating a
 *   stage with access logs fails with "CloudWatch Logs role ARN must be set in account settings to enable
 *   logging", and every service stack's stage has access logs.
 * - `aws_iam_role.api_gateway_cloudwatch_role` (`apigateway-cloudwatch-logs-<region>`), which only API
 *   Gateway may assume, with AWS's managed policy `AmazonAPIGatewayPushToCloudWatchLogs` attached
 *   (`aws_iam_role_policy_attachment.api_gateway_cloudwatch_role_policy`).
 *
 * API Gateway checks that it can assume the role when the setting is saved; the provider retries that
 * check while IAM propagates the new role, and the setting waits for the policy to be attached.
 */
export class AccountStack extends TerraformStack {
  readonly apiGatewayCloudwatchRole: IamRole;
  readonly apiGatewayAccount: ApiGatewayAccount;

  constructor(scope: Construct, id: string, props: AccountStackProps) {
    super(scope, id);

    new AwsProvider(this, "aws", {
      region: props.region,
      ...(props.accountId ? { allowedAccountIds: [props.accountId] } : {}),
      defaultTags: [{ tags: { project: "movies-cdktf", service: "account", "managed-by": "cdktf" } }],
    });
    useS3Backend(this, { ...props.state, key: `account/${id}.tfstate` });

    const trust = new DataAwsIamPolicyDocument(this, "api_gateway_assume_role_policy", {
      statement: [
        {
          effect: "Allow",
          principals: [{ type: "Service", identifiers: ["apigateway.amazonaws.com"] }],
          actions: ["sts:AssumeRole"],
        },
      ],
    });
    // IAM role names are account-wide: one role per region's stack.
    this.apiGatewayCloudwatchRole = new IamRole(this, "api_gateway_cloudwatch_role", {
      name: derivedName("apigateway-cloudwatch-logs", props.region),
      description: "Lets API Gateway write the access and execution logs of every API in this region",
      assumeRolePolicy: trust.json,
    });
    const partition = new DataAwsPartition(this, "partition");
    const attachment = new IamRolePolicyAttachment(this, "api_gateway_cloudwatch_role_policy", {
      role: this.apiGatewayCloudwatchRole.name,
      policyArn: `arn:${partition.partition}:iam::aws:policy/${API_GATEWAY_LOGS_POLICY}`,
    });
    this.apiGatewayAccount = new ApiGatewayAccount(this, "account", {
      cloudwatchRoleArn: this.apiGatewayCloudwatchRole.arn,
      // API Gateway refuses a role it cannot use yet.
      dependsOn: [attachment],
    });

    new TerraformOutput(this, "api_gateway_cloudwatch_role_arn", {
      description: "The role API Gateway writes logs with, in this account and region",
      value: this.apiGatewayCloudwatchRole.arn,
    });
  }

  /** The stack as HCL that Terraform reads and `terraform fmt` leaves alone (see ./hcl). */
  override toHclTerraform(): ReturnType<TerraformStack["toHclTerraform"]> {
    return readableHcl(this, () => super.toHclTerraform());
  }
}
