import { DataAwsSsmParameter } from "@cdktf/provider-aws/lib/data-aws-ssm-parameter";
import { SsmParameter } from "@cdktf/provider-aws/lib/ssm-parameter";
import type { Construct } from "constructs";
import { linkParameterName, type LinkName } from "../tooling/service-links";
import { ResourceConstruct } from "./core/resource-construct";

export interface PublishedLinkProps extends LinkName {
  /** The value other stacks read: usually an attribute of one of this stack's resources. */
  readonly value: string;
  /** What the value is, for whoever reads the parameter in the console. */
  readonly description: string;
}

/**
 * A value this service publishes for the other services of its environment: an SSM parameter
 * `/movies-cdktf/<environment>/<service>/<name>` (`aws_ssm_parameter.<id>`). See tooling/service-links.ts
 * for why stacks find each other this way.
 */
export class PublishedLink extends ResourceConstruct {
  readonly resource: SsmParameter;
  readonly parameterName: string;

  constructor(scope: Construct, id: string, props: PublishedLinkProps) {
    super(scope, id);
    this.parameterName = linkParameterName(props);
    this.resource = this.address(
      new SsmParameter(this, "parameter", {
        name: this.parameterName,
        description: props.description,
        type: "String",
        value: props.value,
      }),
    );
  }
}

/**
 * A value another service of the same environment publishes (a {@link PublishedLink}), read with an
 * `aws_ssm_parameter` data source (`data.aws_ssm_parameter.<id>`). The producer's stack must be deployed
 * first; until it is, planning this stack fails with SSM's ParameterNotFound naming the parameter.
 */
export class LinkedValue extends ResourceConstruct {
  readonly resource: DataAwsSsmParameter;
  readonly parameterName: string;
  /** The published value (a Terraform reference to the data source). */
  readonly value: string;

  constructor(scope: Construct, id: string, props: LinkName) {
    super(scope, id);
    this.parameterName = linkParameterName(props);
    this.resource = this.address(new DataAwsSsmParameter(this, "parameter", { name: this.parameterName }));
    this.value = this.resource.value;
  }
}
