import { Construct } from "constructs";
import { S3Backend, TerraformStack } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import type { EnvironmentConfig } from "./config";

export interface ServiceStackProps {
  readonly config: EnvironmentConfig;
  /** The service's name: tags every resource and prefixes the state key (`movies/movies-dev.tfstate`). */
  readonly service: string;
}

/**
 * What every service stack shares: the AWS provider with default tags, and the S3 backend with
 * encryption and S3-native locking.
 */
export class ServiceStack extends TerraformStack {
  readonly config: EnvironmentConfig;

  constructor(scope: Construct, id: string, props: ServiceStackProps) {
    super(scope, id);
    this.config = props.config;

    new AwsProvider(this, "aws", {
      region: props.config.region,
      ...(props.config.accountId ? { allowedAccountIds: [props.config.accountId] } : {}),
      defaultTags: [
        {
          tags: {
            project: "movies-cdktf",
            environment: props.config.environment,
            service: props.service,
            "managed-by": "cdktf",
          },
        },
      ],
    });

    new S3Backend(this, {
      bucket: props.config.state.bucket,
      key: `${props.service}/${id}.tfstate`,
      region: props.config.state.region,
      encrypt: true,
    });
    // Terraform >= 1.10 locks with a lock file beside the state; cdktf 0.21's S3Backend lacks the option.
    this.addOverride("terraform.backend.s3.use_lockfile", true);
  }
}
