import { SFNClient } from "@aws-sdk/client-sfn";
import { withoutSdkLogging } from "./sdk-clients";
import { SDK_REQUEST_TIMEOUTS } from "./sdk-timeouts";

/**
 * The Step Functions client functions use, with the shared timeouts and no SDK logging (sdk-clients.ts). No
 * region or endpoint here: the SDK reads AWS_REGION and AWS_ENDPOINT_URL_SFN (the local run's stand-in).
 */
export function createSfnClient(): SFNClient {
  return withoutSdkLogging(new SFNClient({ requestHandler: SDK_REQUEST_TIMEOUTS }));
}
