import { S3Client } from "@aws-sdk/client-s3";
import { withoutSdkLogging } from "./sdk-clients";
import { SDK_REQUEST_TIMEOUTS } from "./sdk-timeouts";

/**
 * The S3 client functions use, with the shared timeouts and no SDK logging (sdk-clients.ts). No region or
 * endpoint here: the SDK reads AWS_REGION and AWS_ENDPOINT_URL_S3.
 */
export function createS3Client(): S3Client {
  return withoutSdkLogging(new S3Client({ requestHandler: SDK_REQUEST_TIMEOUTS }));
}
