import { Construct } from "constructs";
import { DynamodbTable } from "@cdktf/provider-aws/lib/dynamodb-table";
import { Monitoring } from "../operations/monitoring";
import { physicalName, tfName } from "./core/naming";

export type AttributeType = "S" | "N" | "B";

export interface TableProps {
  /** Logical table name (`movie_infos`); the physical name adds the environment (`movie_infos-dev`). */
  readonly name: string;
  /** The environment the table belongs to. */
  readonly environment: string;
  /** Partition key. */
  readonly hashKey: { readonly name: string; readonly type: AttributeType };
  /**
   * Emit a DynamoDB stream with this view type.
   * @default no stream
   */
  readonly streamViewType?: "NEW_IMAGE" | "OLD_IMAGE" | "NEW_AND_OLD_IMAGES" | "KEYS_ONLY";
  /**
   * Expire items whose numeric attribute of this name (epoch seconds) lies in the past (DynamoDB TTL).
   * @default no TTL
   */
  readonly timeToLiveAttribute?: string;
  /**
   * Keep the table when the stack is destroyed or the table is replaced.
   * @default false
   */
  readonly deletionProtection?: boolean;
}

/**
 * A DynamoDB table as we run them everywhere: on-demand billing, server-side encryption and
 * point-in-time recovery on. Its Terraform address is `aws_dynamodb_table.<id>`; the stack's
 * `Monitoring` alarms on its throttle events and graphs its consumed capacity.
 */
export class Table extends Construct {
  readonly resource: DynamodbTable;
  readonly tableName: string;
  readonly tableArn: string;
  readonly hashKeyName: string;
  /** The stream's ARN; only set when `streamViewType` is. */
  readonly streamArn?: string;

  constructor(scope: Construct, id: string, props: TableProps) {
    super(scope, id);
    this.hashKeyName = props.hashKey.name;
    this.resource = new DynamodbTable(this, "table", {
      name: physicalName(props.name, props.environment),
      billingMode: "PAY_PER_REQUEST",
      hashKey: props.hashKey.name,
      attribute: [{ name: props.hashKey.name, type: props.hashKey.type }],
      serverSideEncryption: { enabled: true },
      pointInTimeRecovery: { enabled: true },
      deletionProtectionEnabled: props.deletionProtection ?? false,
      ...(props.streamViewType ? { streamEnabled: true, streamViewType: props.streamViewType } : {}),
      ...(props.timeToLiveAttribute
        ? { ttl: { attributeName: props.timeToLiveAttribute, enabled: true } }
        : {}),
    });
    this.resource.overrideLogicalId(tfName(id));
    this.tableName = this.resource.name;
    this.tableArn = this.resource.arn;
    if (props.streamViewType) this.streamArn = this.resource.streamArn;
    Monitoring.of(this).watchTable({ terraformName: tfName(id), tableName: this.tableName });
  }
}
