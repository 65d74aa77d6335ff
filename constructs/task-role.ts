import { Construct } from "constructs";
import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePoliciesExclusive } from "@cdktf/provider-aws/lib/iam-role-policies-exclusive";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { IamRolePolicyAttachmentsExclusive } from "@cdktf/provider-aws/lib/iam-role-policy-attachments-exclusive";
import { ecsTasksAssumeRolePolicy, toDocumentStatements, type PolicyStatement } from "./core/iam";
import { withAddress } from "./core/resource-construct";

export interface TaskRoleProps {
  /** The Terraform name every address derives from (`catalog_task_role`). */
  readonly terraformName: string;
  /** The role's physical name (`catalog-dev-task`); its inline policy has the same name. */
  readonly name: string;
  readonly description: string;
  /** AWS-managed (or customer-managed) policies to attach, by ARN; no others may be attached. */
  readonly managedPolicyArns: readonly string[];
  /** The statements of its one inline policy; none: the role has no inline policy, and may have none. */
  readonly statements: readonly PolicyStatement[];
}

/**
 * A role ECS tasks assume (an execution role or a task role), whose policies are all in the stack: one
 * inline policy from `statements` (`aws_iam_role_policy.<name>_policy`, from
 * `data.aws_iam_policy_document.<name>_policy_document`), the attachments of `managedPolicyArns`
 * (`aws_iam_role_policy_attachment.<name>_managed_<n>`), and `aws_iam_role_policies_exclusive.<name>` and
 * `aws_iam_role_policy_attachments_exclusive.<name>`, which make Terraform remove any inline policy or
 * attachment someone adds by hand, and show it in the plan first.
 */
export class TaskRole extends Construct {
  readonly role: IamRole;
  readonly roleArn: string;
  readonly policy?: IamRolePolicy;
  readonly attachments: readonly IamRolePolicyAttachment[];

  constructor(scope: Construct, id: string, props: TaskRoleProps) {
    super(scope, id);
    const named = (suffix?: string) => (suffix ? `${props.terraformName}_${suffix}` : props.terraformName);
    this.role = withAddress(
      new IamRole(this, "role", {
        name: props.name,
        description: props.description,
        assumeRolePolicy: ecsTasksAssumeRolePolicy(this).json,
      }),
      named(),
    );
    this.roleArn = this.role.arn;
    if (props.statements.length > 0) {
      const document = withAddress(
        new DataAwsIamPolicyDocument(this, "policy_document", {
          statement: toDocumentStatements(props.statements),
        }),
        named("policy_document"),
      );
      this.policy = withAddress(
        new IamRolePolicy(this, "policy", { name: props.name, role: this.role.id, policy: document.json }),
        named("policy"),
      );
    }
    this.attachments = props.managedPolicyArns.map((policyArn, i) =>
      withAddress(
        new IamRolePolicyAttachment(this, `managed_${i + 1}`, { role: this.role.name, policyArn }),
        named(`managed_${i + 1}`),
      ),
    );
    withAddress(
      new IamRolePoliciesExclusive(this, "policies_exclusive", {
        roleName: this.role.name,
        policyNames: this.policy ? [this.policy.name] : [],
      }),
      named(),
    );
    withAddress(
      new IamRolePolicyAttachmentsExclusive(this, "attachments_exclusive", {
        roleName: this.role.name,
        policyArns: this.attachments.map((a) => a.policyArn),
      }),
      named(),
    );
  }
}
