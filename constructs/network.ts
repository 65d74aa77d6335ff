import type { Construct } from "constructs";
import { DataAwsSubnet } from "@cdktf/provider-aws/lib/data-aws-subnet";
import { DataAwsVpc } from "@cdktf/provider-aws/lib/data-aws-vpc";
import { RouteTable } from "@cdktf/provider-aws/lib/route-table";
import { RouteTableAssociation } from "@cdktf/provider-aws/lib/route-table-association";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { Subnet } from "@cdktf/provider-aws/lib/subnet";
import { Vpc } from "@cdktf/provider-aws/lib/vpc";
import { VpcEndpoint } from "@cdktf/provider-aws/lib/vpc-endpoint";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { physicalName } from "./core/naming";
import { ResourceConstruct } from "./core/resource-construct";

/** Where a container service runs: a VPC and its private subnets. */
export interface Network {
  readonly vpcId: string;
  /** The subnets tasks and the VPC link are placed in; at least two availability zones. */
  readonly privateSubnetIds: readonly string[];
}

export interface ExistingNetworkProps {
  /** The VPC's id (`vpc-0123456789abcdef0`). */
  readonly vpcId: string;
  /** Private subnets of that VPC. */
  readonly privateSubnetIds: readonly string[];
}

/**
 * A VPC someone else owns (a platform team's), looked up by id: `data.aws_vpc.<id>` and one
 * `data.aws_subnet.<id>_private_<n>` per subnet. Each subnet is looked up in that VPC (`vpc_id`), so a
 * subnet of another VPC fails the plan ("no matching EC2 Subnet found"); the VPC must resolve private
 * DNS names, which Cloud Map's namespace needs, or the plan fails with a postcondition saying so.
 */
export class ExistingNetwork extends ResourceConstruct implements Network {
  readonly vpc: DataAwsVpc;
  readonly subnets: readonly DataAwsSubnet[];
  readonly vpcId: string;
  readonly privateSubnetIds: readonly string[];

  constructor(scope: Construct, id: string, props: ExistingNetworkProps) {
    super(scope, id);
    this.vpc = this.address(
      new DataAwsVpc(this, "vpc", {
        id: props.vpcId,
        lifecycle: {
          postcondition: [
            {
              condition: "${self.enable_dns_support && self.enable_dns_hostnames}",
              errorMessage: `VPC ${props.vpcId} must have DNS support and DNS hostnames on: Cloud Map's private namespace resolves through them.`,
            },
          ],
        },
      }),
    );
    this.subnets = props.privateSubnetIds.map((subnetId, i) =>
      this.address(
        new DataAwsSubnet(this, `private_${i + 1}`, { id: subnetId, vpcId: this.vpc.id }),
        `private_${i + 1}`,
      ),
    );
    this.vpcId = this.vpc.id;
    this.privateSubnetIds = this.subnets.map((s) => s.id);
  }
}

export interface DevelopmentNetworkProps {
  /** Names the VPC and its parts (`catalog-dev`). */
  readonly name: string;
  readonly environment: string;
  /** The region: the subnets go to its zones `a` and `b`, the endpoints to its services. */
  readonly region: string;
  /** A /16; the subnets are its first two /24s. */
  readonly cidrBlock: string;
}

/** The interface endpoints a Fargate task without a NAT gateway needs to pull its image and log. */
const INTERFACE_ENDPOINTS = [
  ["ecr_api", "ecr.api"],
  ["ecr_dkr", "ecr.dkr"],
  ["logs", "logs"],
] as const;

/** Gateway endpoints (free): S3 serves ECR's image layers; DynamoDB, the service's table. */
const GATEWAY_ENDPOINTS = [
  ["s3", "s3"],
  ["dynamodb", "dynamodb"],
] as const;

/**
 * A minimal VPC for a developer's own stack, so it depends on nothing outside it: two private subnets in
 * two zones, one route table with only the local route (no internet gateway, no NAT), interface endpoints
 * for ECR (api, dkr) and CloudWatch Logs behind a security group that admits HTTPS from the VPC, and
 * gateway endpoints for S3 and DynamoDB. Addresses: `aws_vpc.<id>`, `aws_subnet.<id>_private_<n>`,
 * `aws_vpc_endpoint.<id>_<service>`, and so on.
 */
export class DevelopmentNetwork extends ResourceConstruct implements Network {
  readonly vpc: Vpc;
  readonly subnets: readonly Subnet[];
  readonly routeTable: RouteTable;
  readonly endpointSecurityGroup: SecurityGroup;
  readonly vpcId: string;
  readonly privateSubnetIds: readonly string[];

  constructor(scope: Construct, id: string, props: DevelopmentNetworkProps) {
    super(scope, id);
    const name = physicalName(props.name, props.environment);
    this.vpc = this.address(
      new Vpc(this, "vpc", {
        cidrBlock: props.cidrBlock,
        enableDnsSupport: true,
        enableDnsHostnames: true,
        tags: { Name: name },
      }),
    );
    const prefix = props.cidrBlock.split(".").slice(0, 2).join(".");
    this.routeTable = this.address(
      new RouteTable(this, "private_routes", { vpcId: this.vpc.id, tags: { Name: `${name}-private` } }),
      "private_routes",
    );
    this.subnets = ["a", "b"].map((zone, i) => {
      const subnet = this.address(
        new Subnet(this, `private_${i + 1}`, {
          vpcId: this.vpc.id,
          cidrBlock: `${prefix}.${i}.0/24`,
          availabilityZone: `${props.region}${zone}`,
          mapPublicIpOnLaunch: false,
          tags: { Name: `${name}-private-${zone}` },
        }),
        `private_${i + 1}`,
      );
      this.address(
        new RouteTableAssociation(this, `private_${i + 1}_routes`, {
          subnetId: subnet.id,
          routeTableId: this.routeTable.id,
        }),
        `private_${i + 1}_routes`,
      );
      return subnet;
    });
    this.vpcId = this.vpc.id;
    this.privateSubnetIds = this.subnets.map((s) => s.id);
    this.endpointSecurityGroup = this.addEndpoints(name, props.region);
  }

  private addEndpoints(name: string, region: string): SecurityGroup {
    const group = this.address(
      new SecurityGroup(this, "endpoints", {
        name: `${name}-endpoints`,
        description: "HTTPS from the VPC to its interface endpoints",
        vpcId: this.vpc.id,
      }),
      "endpoints",
    );
    this.address(
      new VpcSecurityGroupIngressRule(this, "endpoints_https", {
        securityGroupId: group.id,
        description: "HTTPS from the VPC",
        ipProtocol: "tcp",
        fromPort: 443,
        toPort: 443,
        cidrIpv4: this.vpc.cidrBlock,
      }),
      "endpoints_https",
    );
    for (const [suffix, service] of INTERFACE_ENDPOINTS) {
      this.address(
        new VpcEndpoint(this, suffix, {
          vpcId: this.vpc.id,
          serviceName: `com.amazonaws.${region}.${service}`,
          vpcEndpointType: "Interface",
          privateDnsEnabled: true,
          subnetIds: this.subnets.map((s) => s.id),
          securityGroupIds: [group.id],
        }),
        suffix,
      );
    }
    for (const [suffix, service] of GATEWAY_ENDPOINTS) {
      this.address(
        new VpcEndpoint(this, suffix, {
          vpcId: this.vpc.id,
          serviceName: `com.amazonaws.${region}.${service}`,
          vpcEndpointType: "Gateway",
          routeTableIds: [this.routeTable.id],
        }),
        suffix,
      );
    }
    return group;
  }
}
