import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { SDK_REQUEST_TIMEOUTS } from "./sdk-timeouts";

/**
 * The DynamoDB document client every function uses, so marshalling options and timeouts are decided once.
 * No region or endpoint here: the SDK reads AWS_REGION and AWS_ENDPOINT_URL_DYNAMODB.
 */
export function createDocumentClient(): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(new DynamoDBClient({ requestHandler: SDK_REQUEST_TIMEOUTS }), {
    marshallOptions: { removeUndefinedValues: true },
  });
}
