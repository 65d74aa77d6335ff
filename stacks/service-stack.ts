import { Construct } from "constructs";
import { TerraformStack } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { Guardrails } from "../operations/guardrails";
import { Monitoring } from "../operations/monitoring";
import { configWarnings, type EnvironmentConfig } from "./config";
import { readableHcl } from "./hcl";
import { reportWarnings, useS3Backend } from "./remote-state";

export interface ServiceStackProps {
  readonly config: EnvironmentConfig;
  /** The service's name: tags every resource and prefixes the state key (`movies/movies-dev.tfstate`). */
  readonly service: string;
}

/**
 * What every service stack shares: the AWS provider with default tags, the S3 backend with encryption
 * and S3-native locking, the stack's `Monitoring` (an aspect: alerts topic, alarms and dashboard from what
 * the resources describe), and the `Guardrails` that fail synth when a resource is not production-ready.
 * Configuration that is risky but deployable (an environment not pinned to an account, prod alarms that
 * reach nobody) is reported once per stack as a synth warning naming the key to set.
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

    useS3Backend(this, { ...props.config.state, key: `${props.service}/${id}.tfstate` });
    reportWarnings(this, configWarnings(props.config));

    this.monitoring = Monitoring.applyTo(this, {
      environment: props.config.environment,
      service: props.service,
      region: props.config.region,
      ...(props.config.alarmEmail ? { alarmEmail: props.config.alarmEmail } : {}),
    });
    Guardrails.applyTo(this);
  }

  /** The stack as HCL that Terraform reads and `terraform fmt` leaves alone (see ./hcl). */
  override toHclTerraform(): ReturnType<TerraformStack["toHclTerraform"]> {
    return readableHcl(this, () => super.toHclTerraform());
  }
}
