import { SFNClient } from "@aws-sdk/client-sfn";
import { SDK_REQUEST_TIMEOUTS } from "./sdk-timeouts";

/**
 * The Step Functions client functions use, with the shared timeouts. No region or endpoint here: the SDK
 * reads AWS_REGION and AWS_ENDPOINT_URL_SFN (the local run's Step Functions stand-in).
 */
export function createSfnClient(): SFNClient {
  return new SFNClient({ requestHandler: SDK_REQUEST_TIMEOUTS });
}
