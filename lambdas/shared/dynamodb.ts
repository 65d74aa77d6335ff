import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { withoutSdkLogging } from "./sdk-clients";
import { SDK_REQUEST_TIMEOUTS } from "./sdk-timeouts";

/**
 * The DynamoDB client under every function's document client: the shared timeouts, no SDK logging
 * (sdk-clients.ts). No region or endpoint here: the SDK reads AWS_REGION and AWS_ENDPOINT_URL_DYNAMODB.
 */
export function createDynamoDbClient(): DynamoDBClient {
  return withoutSdkLogging(new DynamoDBClient({ requestHandler: SDK_REQUEST_TIMEOUTS }));
}

/**
 * The DynamoDB document client every function uses, so marshalling options and timeouts are decided once.
 * It shares the middleware stack of the client it wraps ({@link createDynamoDbClient}).
 */
export function createDocumentClient(): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(createDynamoDbClient(), {
    marshallOptions: { removeUndefinedValues: true },
  });
}
