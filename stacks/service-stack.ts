import { Construct } from "constructs";
import { S3Backend, TerraformStack } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { Guardrails } from "../constructs/guardrails";
import { Monitoring } from "../constructs/monitoring";
import type { EnvironmentConfig } from "./config";

export interface ServiceStackProps {
  readonly config: EnvironmentConfig;
  /** The service's name: tags every resource and prefixes the state key (`movies/movies-dev.tfstate`). */
  readonly service: string;
}

/**
 * What every service stack shares: the AWS provider with default tags, the S3 backend with encryption
 * and S3-native locking, the stack's `Monitoring` (alerts topic, alarms and dashboard, which the
 * constructs feed), and the `Guardrails` that fail synth when a resource is not production-ready.
 */
export class ServiceStack extends TerraformStack {
  readonly config: EnvironmentConfig;
  readonly monitoring: Monitoring;

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

    this.monitoring = new Monitoring(this, "monitoring", {
      environment: props.config.environment,
      service: props.service,
      region: props.config.region,
      ...(props.config.alarmEmail ? { alarmEmail: props.config.alarmEmail } : {}),
    });
    Guardrails.applyTo(this);
  }
}
