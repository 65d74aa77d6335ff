import { fromEnv, type FromEnvInit } from "@aws-sdk/credential-provider-env";

/**
 * Our bundles' stand-in for the SDK's default credential chain (`@aws-sdk/credential-provider-node`,
 * swapped in by tooling/bundle.ts): credentials from the environment only. Lambda hands a function its
 * role's credentials in AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN, which the chain
 * reads first anyway; its other sources (SSO, profiles, credential processes, web identity, container
 * and instance metadata) never run in a function, and leaving them out keeps their code off every cold
 * start. Same signature as the chain's `defaultProvider`, which the clients' runtime config calls.
 */
export function defaultProvider(init: FromEnvInit = {}): ReturnType<typeof fromEnv> {
  const fromEnvironment = fromEnv(init);
  return async (identityProperties) => {
    try {
      return await fromEnvironment(identityProperties);
    } catch (error) {
      throw new Error(
        "No AWS credentials in the environment (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY): Lambda sets " +
          "them from the function's role, anywhere else set them. This bundle reads no other credential " +
          "source (profiles, SSO, instance metadata): tooling/bundle.ts leaves them out.",
        { cause: error },
      );
    }
  };
}
