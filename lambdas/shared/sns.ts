import { SNSClient } from "@aws-sdk/client-sns";
import { withoutSdkLogging } from "./sdk-clients";
import { SDK_REQUEST_TIMEOUTS } from "./sdk-timeouts";

/**
 * The SNS client functions use, with the shared timeouts and no SDK logging (sdk-clients.ts). No region or
 * endpoint here: the SDK reads AWS_REGION and AWS_ENDPOINT_URL_SNS.
 */
export function createSnsClient(): SNSClient {
  return withoutSdkLogging(new SNSClient({ requestHandler: SDK_REQUEST_TIMEOUTS }));
}
