import { Construct } from "constructs";
import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { IamPolicy } from "@cdktf/provider-aws/lib/iam-policy";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { PipesPipe } from "@cdktf/provider-aws/lib/pipes-pipe";
import type { EventBus } from "./event-bus";
import { tfName } from "./naming";
import type { Table } from "./table";

export interface TableStreamPipeProps {
  /** Physical pipe name (`order-created-dev`); also names its role and policy. */
  readonly name: string;
  readonly description?: string;
  /** The table whose stream feeds the pipe; it must have a stream (`streamViewType`). */
  readonly table: Table;
  /** The bus the pipe publishes to. */
  readonly eventBus: EventBus;
  /** The account id (from `data.aws_caller_identity`): only pipes of this account may assume the role. */
  readonly accountId: string;
  /** `detail-type` of the published events (`OrderCreated`). */
  readonly detailType: string;
  /** `source` of the published events (`orders.service`). */
  readonly eventSource: string;
  /**
   * EventBridge patterns a stream record must match to be published (any of them).
   * @default every record is published
   */
  readonly filterPatterns?: readonly object[];
  /**
   * Input template rendering each record into the event's `detail`.
   * @default the stream record itself is the detail
   */
  readonly inputTemplate?: string;
  /**
   * Records per PutEvents call.
   * @default 1 (a failed delivery is retried for that record alone)
   */
  readonly batchSize?: number;
  /**
   * Where a new pipe starts reading the stream.
   * @default "LATEST"
   */
  readonly startingPosition?: "LATEST" | "TRIM_HORIZON";
}

/**
 * An EventBridge Pipe from a table's DynamoDB stream to an event bus: publishing happens after, and only
 * after, the item is stored, with no code and no dual write. Failed deliveries are retried until the
 * record leaves the stream (24 hours). Its role may read this table's stream and put events on this bus,
 * nothing else, and only pipes of this account may assume it.
 *
 * Addresses: `aws_pipes_pipe.<id>`, `aws_iam_role.<id>_role`, `aws_iam_policy.<id>_policy`,
 * `aws_iam_role_policy_attachment.<id>_policy_attachment`, and the documents
 * `data.aws_iam_policy_document.<id>_assume_role_policy` / `<id>_policy_document`.
 */
export class TableStreamPipe extends Construct {
  readonly pipe: PipesPipe;
  readonly role: IamRole;
  readonly pipeArn: string;
  readonly roleArn: string;

  constructor(scope: Construct, id: string, props: TableStreamPipeProps) {
    super(scope, id);
    const baseName = tfName(id);
    const streamArn = props.table.streamArn;
    if (streamArn === undefined) {
      throw new Error(`${baseName}: table ${props.table.node.id} has no stream; set its streamViewType`);
    }

    const assumeRole = new DataAwsIamPolicyDocument(this, "assume_role_policy", {
      statement: [
        {
          effect: "Allow",
          principals: [{ type: "Service", identifiers: ["pipes.amazonaws.com"] }],
          actions: ["sts:AssumeRole"],
          condition: [{ test: "StringEquals", variable: "aws:SourceAccount", values: [props.accountId] }],
        },
      ],
    });
    assumeRole.overrideLogicalId(`${baseName}_assume_role_policy`);

    const document = new DataAwsIamPolicyDocument(this, "policy_document", {
      statement: [
        {
          sid: "ReadTableStream",
          effect: "Allow",
          actions: [
            "dynamodb:DescribeStream",
            "dynamodb:GetRecords",
            "dynamodb:GetShardIterator",
            "dynamodb:ListStreams",
          ],
          resources: [streamArn],
        },
        {
          sid: "PutEventsOnBus",
          effect: "Allow",
          actions: ["events:PutEvents"],
          resources: [props.eventBus.busArn],
        },
      ],
    });
    document.overrideLogicalId(`${baseName}_policy_document`);

    const policy = new IamPolicy(this, "policy", {
      name: props.name,
      description: `Least-privilege policy of the ${props.name} pipe`,
      policy: document.json,
    });
    policy.overrideLogicalId(`${baseName}_policy`);

    this.role = new IamRole(this, "role", { name: props.name, assumeRolePolicy: assumeRole.json });
    this.role.overrideLogicalId(`${baseName}_role`);

    const attachment = new IamRolePolicyAttachment(this, "policy_attachment", {
      role: this.role.name,
      policyArn: policy.arn,
    });
    attachment.overrideLogicalId(`${baseName}_policy_attachment`);

    const filters = props.filterPatterns ?? [];
    this.pipe = new PipesPipe(this, "pipe", {
      name: props.name,
      description: props.description,
      roleArn: this.role.arn,
      source: streamArn,
      target: props.eventBus.busArn,
      sourceParameters: {
        dynamodbStreamParameters: {
          startingPosition: props.startingPosition ?? "LATEST",
          batchSize: props.batchSize ?? 1,
        },
        ...(filters.length > 0
          ? { filterCriteria: { filter: filters.map((pattern) => ({ pattern: JSON.stringify(pattern) })) } }
          : {}),
      },
      targetParameters: {
        ...(props.inputTemplate !== undefined ? { inputTemplate: props.inputTemplate } : {}),
        eventbridgeEventBusParameters: { detailType: props.detailType, source: props.eventSource },
      },
      // The pipe checks its role's permissions when it is created and starts.
      dependsOn: [attachment],
    });
    this.pipe.overrideLogicalId(baseName);
    this.pipeArn = this.pipe.arn;
    this.roleArn = this.role.arn;
  }
}
