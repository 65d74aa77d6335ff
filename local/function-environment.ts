import { LOCAL_CREDENTIALS } from "./emulators";
import type { DeclaredFunction } from "./functions";

/** Where a local run's AWS services answer, as a function process must be told. */
export interface LocalServices {
  readonly region: string;
  /** DynamoDB's endpoint for functions (`AWS_ENDPOINT_URL_DYNAMODB`). */
  readonly dynamodbEndpoint: string;
  /** S3's endpoint for functions (`AWS_ENDPOINT_URL_S3`). */
  readonly s3Endpoint: string;
  /**
   * SNS's endpoint for functions (`AWS_ENDPOINT_URL_SNS`): the local Publish of sns-endpoint.ts.
   * @default none (SNS calls fail fast, as any other service's)
   */
  readonly snsEndpoint?: string;
  /** The local Step Functions stand-in (`AWS_ENDPOINT_URL_SFN`). @default none: Step Functions calls fail fast */
  readonly sfnEndpoint?: string;
}

/**
 * The variables one function's process gets on top of the ones it declares: the local region, the
 * credentials it signs with, and the local endpoints (through the SDK's standard variables only). This is
 * the one place that decides them, per function: credentials that identify the function (so a local
 * gateway can tell who calls) or an endpoint of its own are added here, or through the local run's
 * `functionEnvironment` option, which receives this result.
 */
export function functionProcessEnvironment(
  _fn: DeclaredFunction,
  services: LocalServices,
): Record<string, string> {
  return {
    AWS_REGION: services.region,
    AWS_DEFAULT_REGION: services.region,
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    AWS_ENDPOINT_URL_DYNAMODB: services.dynamodbEndpoint,
    AWS_ENDPOINT_URL_S3: services.s3Endpoint,
    ...(services.snsEndpoint ? { AWS_ENDPOINT_URL_SNS: services.snsEndpoint } : {}),
    ...(services.sfnEndpoint ? { AWS_ENDPOINT_URL_SFN: services.sfnEndpoint } : {}),
    // Any other service fails fast on a closed local port instead of reaching AWS.
    AWS_ENDPOINT_URL: "http://127.0.0.1:9",
  };
}
