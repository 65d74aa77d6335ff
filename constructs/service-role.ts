import { Construct } from "constructs";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { IamPolicy } from "@cdktf/provider-aws/lib/iam-policy";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { toDocumentStatements, type PolicyStatement } from "./core/iam";
import { withAddress } from "./core/resource-construct";

export interface ServiceRoleProps {
  /** The Terraform name of the owner, which the addresses derive from (`get_movie_lambda`). */
  readonly terraformName: string;
  /** Physical name of the role and of its policy (`get-movie-dev`). */
  readonly name: string;
  /** The policy's description (`Least-privilege policy of get-movie-dev`). */
  readonly policyDescription: string;
  /** The trust policy (a policy document's `json`): who may assume the role. */
  readonly assumeRolePolicy: string;
  /** The log group the service writes to with this role (`/aws/lambda/get-movie-dev`). */
  readonly logGroupName: string;
  /**
   * Retention of the log group.
   * @default 14 days
   */
  readonly logRetentionDays?: number;
  /**
   * Statements before the one that lets the role write its own logs.
   * @default none: the logs statement comes first
   */
  readonly statements?: readonly PolicyStatement[];
  /**
   * Add the `WriteOwnLogs` statement. Services that deliver logs through CloudWatch Logs' delivery API
   * (Step Functions) write with their own identity and need other actions instead.
   * @default true
   */
  readonly writesOwnLogs?: boolean;
}

/**
 * The role an AWS service runs with, and everything it owns: its log group (so retention is ours and the
 * logs permission can name it), a least-privilege policy document and policy, and the attachment. Used by
 * `BundledFunction` and `TableStreamPipe`. Addresses: `aws_iam_role.<name>_role`, `aws_iam_policy.<name>_policy`,
 * `aws_iam_role_policy_attachment.<name>_policy_attachment`, `data.aws_iam_policy_document.<name>_policy_document`
 * and `aws_cloudwatch_log_group.<name>_log_group`, `<name>` being the owner's Terraform name.
 *
 * The policy allows `logs:CreateLogStream` and `logs:PutLogEvents` on the log group (`WriteOwnLogs`), after
 * `statements`; {@link addToPolicy} appends more.
 */
export class ServiceRole extends Construct {
  readonly role: IamRole;
  readonly logGroup: CloudwatchLogGroup;
  readonly policyDocument: DataAwsIamPolicyDocument;
  /** Depend on it for anything the service checks its permissions for when it is created. */
  readonly attachment: IamRolePolicyAttachment;
  readonly roleArn: string;

  private readonly statements: PolicyStatement[];

  constructor(scope: Construct, id: string, props: ServiceRoleProps) {
    super(scope, id);
    const named = (suffix: string) => `${props.terraformName}_${suffix}`;
    this.logGroup = withAddress(
      new CloudwatchLogGroup(this, "log_group", {
        name: props.logGroupName,
        retentionInDays: props.logRetentionDays ?? 14,
      }),
      named("log_group"),
    );
    this.statements = [...(props.statements ?? [])];
    this.policyDocument = withAddress(
      new DataAwsIamPolicyDocument(this, "policy_document", {}),
      named("policy_document"),
    );
    if (props.writesOwnLogs ?? true) {
      this.addToPolicy({
        sid: "WriteOwnLogs",
        actions: ["logs:CreateLogStream", "logs:PutLogEvents"],
        resources: [`${this.logGroup.arn}:*`],
      });
    } else {
      this.policyDocument.putStatement(toDocumentStatements(this.statements));
    }
    const policy = withAddress(
      new IamPolicy(this, "policy", {
        name: props.name,
        description: props.policyDescription,
        policy: this.policyDocument.json,
      }),
      named("policy"),
    );
    this.role = withAddress(
      new IamRole(this, "role", { name: props.name, assumeRolePolicy: props.assumeRolePolicy }),
      named("role"),
    );
    this.attachment = withAddress(
      new IamRolePolicyAttachment(this, "policy_attachment", { role: this.role.name, policyArn: policy.arn }),
      named("policy_attachment"),
    );
    this.roleArn = this.role.arn;
  }

  /** Appends one statement to the role's policy. */
  addToPolicy(statement: PolicyStatement): void {
    this.statements.push(statement);
    this.policyDocument.putStatement(toDocumentStatements(this.statements));
  }
}
