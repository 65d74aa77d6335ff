import { Construct } from "constructs";
import { DynamodbTable } from "@cdktf/provider-aws/lib/dynamodb-table";
import { metric, type Metric, type MetricOptions } from "./core/metrics";
import { physicalName } from "./core/naming";
import { ResourceConstruct } from "./core/resource-construct";

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
   * DynamoDB's deletion protection: `DeleteTable` fails until it is turned off, whoever calls it (a
   * `terraform destroy`, a replacement, the console).
   * @default false
   */
  readonly deletionProtection?: boolean;
  /**
   * Terraform's `lifecycle { prevent_destroy = true }`: any plan that would destroy or replace the table
   * fails, before anything is applied.
   * @default false
   */
  readonly preventDestroy?: boolean;
}

/**
 * A DynamoDB table as we run them everywhere: on-demand billing, server-side encryption and
 * point-in-time recovery on. Its Terraform address is `aws_dynamodb_table.<id>`. Its `metric*()` methods
 * describe what can be watched (throttle events, consumed capacity); the stack's monitoring decides.
 */
export class Table extends ResourceConstruct {
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
      ...(props.preventDestroy ? { lifecycle: { preventDestroy: true } } : {}),
    });
    this.address(this.resource);
    this.tableName = this.resource.name;
    this.tableArn = this.resource.arn;
    if (props.streamViewType) this.streamArn = this.resource.streamArn;
  }

  /** A metric of this table (`AWS/DynamoDB`, by `TableName`). */
  metric(metricName: string, options?: MetricOptions): Metric {
    return metric("AWS/DynamoDB", metricName, { TableName: this.tableName }, options);
  }

  /**
   * Read requests throttled, table-level. (`ThrottledRequests` is only published per operation, so
   * watch this and {@link metricWriteThrottleEvents} to see every throttle.)
   */
  metricReadThrottleEvents(options?: MetricOptions): Metric {
    return this.metric("ReadThrottleEvents", options);
  }

  /** Write requests throttled, table-level. */
  metricWriteThrottleEvents(options?: MetricOptions): Metric {
    return this.metric("WriteThrottleEvents", options);
  }

  metricConsumedReadCapacityUnits(options?: MetricOptions): Metric {
    return this.metric("ConsumedReadCapacityUnits", options);
  }

  metricConsumedWriteCapacityUnits(options?: MetricOptions): Metric {
    return this.metric("ConsumedWriteCapacityUnits", options);
  }
}
