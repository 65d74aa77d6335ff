import {
  CreateTableCommand,
  ResourceInUseException,
  type AttributeDefinition,
  type CreateTableCommandInput,
  type DynamoDBClient,
  type KeySchemaElement,
  type ScalarAttributeType,
} from "@aws-sdk/client-dynamodb";
import type { TerraformResolver } from "./terraform";

/** A table as the stack declares it, with its references resolved. */
export interface DeclaredTable {
  /** Terraform address (`aws_dynamodb_table.movie_infos_table`). */
  readonly address: string;
  readonly input: CreateTableCommandInput;
}

interface TableConfig {
  name: string;
  hash_key: string;
  range_key?: string;
  attribute?: { name: string; type: ScalarAttributeType }[];
  billing_mode?: "PAY_PER_REQUEST" | "PROVISIONED";
  read_capacity?: number;
  write_capacity?: number;
  stream_enabled?: boolean;
  stream_view_type?: "NEW_IMAGE" | "OLD_IMAGE" | "NEW_AND_OLD_IMAGES" | "KEYS_ONLY";
  global_secondary_index?: {
    name: string;
    hash_key: string;
    range_key?: string;
    projection_type: "ALL" | "KEYS_ONLY" | "INCLUDE";
    non_key_attributes?: string[];
  }[];
}

function keySchema(hash: string, range?: string): KeySchemaElement[] {
  return [
    { AttributeName: hash, KeyType: "HASH" },
    ...(range ? [{ AttributeName: range, KeyType: "RANGE" as const }] : []),
  ];
}

/**
 * Every `aws_dynamodb_table` of the stack as a CreateTable request: same name, key schema, attribute
 * definitions, billing mode, stream and global secondary indexes as `cdktf deploy` would create.
 */
export function declaredTables(resolver: TerraformResolver): DeclaredTable[] {
  return resolver.resources("aws_dynamodb_table").map(([name, raw]) => {
    const config = resolver.resolve(raw) as TableConfig;
    const provisioned = config.billing_mode === "PROVISIONED";
    const throughput = {
      ReadCapacityUnits: config.read_capacity ?? 1,
      WriteCapacityUnits: config.write_capacity ?? 1,
    };
    const attributes: AttributeDefinition[] = (config.attribute ?? []).map((a) => ({
      AttributeName: a.name,
      AttributeType: a.type,
    }));
    const input: CreateTableCommandInput = {
      TableName: config.name,
      KeySchema: keySchema(config.hash_key, config.range_key),
      AttributeDefinitions: attributes,
      BillingMode: provisioned ? "PROVISIONED" : "PAY_PER_REQUEST",
      ...(provisioned ? { ProvisionedThroughput: throughput } : {}),
      ...(config.stream_enabled
        ? { StreamSpecification: { StreamEnabled: true, StreamViewType: config.stream_view_type } }
        : {}),
      ...(config.global_secondary_index?.length
        ? {
            GlobalSecondaryIndexes: config.global_secondary_index.map((index) => ({
              IndexName: index.name,
              KeySchema: keySchema(index.hash_key, index.range_key),
              Projection: {
                ProjectionType: index.projection_type,
                ...(index.non_key_attributes ? { NonKeyAttributes: index.non_key_attributes } : {}),
              },
              ...(provisioned ? { ProvisionedThroughput: throughput } : {}),
            })),
          }
        : {}),
    };
    return { address: `aws_dynamodb_table.${name}`, input };
  });
}

/** Creates each table unless it exists already (a restarted local run keeps its data). */
export async function createTables(ddb: DynamoDBClient, tables: readonly DeclaredTable[]): Promise<string[]> {
  const created: string[] = [];
  for (const table of tables) {
    try {
      await ddb.send(new CreateTableCommand(table.input));
      created.push(table.input.TableName as string);
    } catch (error) {
      if (!(error instanceof ResourceInUseException)) throw error;
    }
  }
  return created;
}
