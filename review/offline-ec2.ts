/**
 * The EC2 part of the offline stand-in AWS (review/terraform.ts): the Query API calls that a plan makes
 * for `data.aws_vpc` and `data.aws_subnet` (DescribeVpcs, DescribeVpcAttribute, DescribeRouteTables for
 * the VPC's main route table, DescribeSubnets), answered from the VPC and subnet ids the synthesized
 * stacks declare. A stack that looks up an id no stack declares gets EC2's own NotFound error.
 */
import { referenceOf, type TerraformJson } from "../tooling/terraform-json";

/** The XML namespace of every EC2 response (API version 2016-11-15). */
export const EC2_NAMESPACE = "http://ec2.amazonaws.com/doc/2016-11-15/";

/** The VPCs and subnets the stacks look up, by id; each subnet with its VPC's id. */
export interface DeclaredNetwork {
  readonly vpcs: readonly string[];
  readonly subnets: ReadonlyMap<string, string>;
}

/**
 * Every VPC id `data.aws_vpc` looks up and every subnet id `data.aws_subnet` looks up in the given stacks,
 * each subnet in the VPC its `vpc_id` names (a literal, or a reference to one of those `data.aws_vpc`).
 */
export function declaredNetwork(stacks: Readonly<Record<string, TerraformJson>>): DeclaredNetwork {
  const vpcs = new Set<string>();
  const subnets = new Map<string, string>();
  for (const json of Object.values(stacks)) {
    const vpcData = json.data?.aws_vpc ?? {};
    const vpcIdOf = (value: unknown): string | undefined => {
      if (typeof value === "string" && !value.includes("${")) return value;
      const ref = referenceOf(value);
      const id = ref?.data && ref.type === "aws_vpc" ? vpcData[ref.name]?.id : undefined;
      return typeof id === "string" ? id : undefined;
    };
    for (const config of Object.values(vpcData)) {
      if (typeof config.id === "string" && !config.id.includes("${")) vpcs.add(config.id);
    }
    for (const config of Object.values(json.data?.aws_subnet ?? {})) {
      const vpcId = vpcIdOf(config.vpc_id);
      if (typeof config.id !== "string" || vpcId === undefined) continue;
      subnets.set(config.id, vpcId);
      vpcs.add(vpcId);
    }
  }
  return { vpcs: [...vpcs].sort(), subnets };
}

/** An answer: HTTP status and XML body. */
export interface Ec2Answer {
  readonly status: number;
  readonly body: string;
}

type Params = URLSearchParams;

/** `Filter.N.Name` → its values (`Filter.N.Value.M`), and the numbered ids (`VpcId.N`, `SubnetId.N`). */
function filters(params: Params): Map<string, string[]> {
  const found = new Map<string, string[]>();
  for (const [key, name] of params) {
    const match = /^Filter\.(\d+)\.Name$/.exec(key);
    if (!match) continue;
    const values = [...params].filter(([k]) => k.startsWith(`Filter.${match[1]}.Value.`)).map(([, v]) => v);
    found.set(name, values);
  }
  return found;
}

function numbered(params: Params, prefix: string): string[] {
  return [...params].filter(([k]) => new RegExp(`^${prefix}\\.\\d+$`).test(k)).map(([, v]) => v);
}

/** Keeps what every filter and id list admits; an unknown filter name admits nothing. */
function select<T>(
  items: readonly T[],
  params: Params,
  fields: Readonly<Record<string, (item: T) => string>>,
) {
  const byFilter = filters(params);
  return items.filter((item) =>
    [...byFilter].every(([name, values]) => {
      const field = fields[name];
      return field !== undefined && values.includes(field(item));
    }),
  );
}

const xmlEscape = (text: string) => text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);

function response(action: string, content: string): Ec2Answer {
  return {
    status: 200,
    body:
      `<?xml version="1.0" encoding="UTF-8"?>\n<${action}Response xmlns="${EC2_NAMESPACE}">` +
      `<requestId>00000000-0000-0000-0000-000000000000</requestId>${content}</${action}Response>`,
  };
}

function error(code: string, message: string): Ec2Answer {
  return {
    status: 400,
    body:
      `<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>${code}</Code>` +
      `<Message>${xmlEscape(message)}</Message></Error></Errors>` +
      `<RequestID>00000000-0000-0000-0000-000000000000</RequestID></Response>`,
  };
}

/** The offline shape of a declared VPC: its index decides its CIDR block (`10.<index>.0.0/16`). */
interface OfflineVpc {
  readonly id: string;
  readonly cidr: string;
  readonly mainRouteTable: string;
}

interface OfflineSubnet {
  readonly id: string;
  readonly vpcId: string;
  readonly cidr: string;
  readonly zone: string;
}

const ZONES = ["a", "b", "c"];

function model(network: DeclaredNetwork, region: string) {
  const vpcs: OfflineVpc[] = network.vpcs.map((id, i) => ({
    id,
    cidr: `10.${i % 256}.0.0/16`,
    mainRouteTable: `rtb-${id.replace(/^vpc-/, "")}`,
  }));
  const subnets: OfflineSubnet[] = [];
  for (const vpc of vpcs) {
    const ids = [...network.subnets].filter(([, vpcId]) => vpcId === vpc.id).map(([id]) => id);
    ids.sort().forEach((id, j) =>
      subnets.push({
        id,
        vpcId: vpc.id,
        cidr: vpc.cidr.replace(/\.0\.0\/16$/, `.${j}.0/24`),
        zone: `${region}${ZONES[j % ZONES.length]}`,
      }),
    );
  }
  return { vpcs, subnets };
}

const OWNER = "123456789012";
const items = (rows: readonly string[]) => rows.map((row) => `<item>${row}</item>`).join("");

function describeVpcs(vpcs: OfflineVpc[], params: Params): Ec2Answer {
  const ids = numbered(params, "VpcId");
  const missing = ids.find((id) => !vpcs.some((v) => v.id === id));
  if (missing) return error("InvalidVpcID.NotFound", `The vpc ID '${missing}' does not exist`);
  const found = select(
    vpcs.filter((v) => ids.length === 0 || ids.includes(v.id)),
    params,
    { "vpc-id": (v) => v.id },
  );
  const rows = found.map(
    (v) =>
      `<vpcId>${v.id}</vpcId><ownerId>${OWNER}</ownerId><state>available</state><cidrBlock>${v.cidr}</cidrBlock>` +
      `<cidrBlockAssociationSet><item><cidrBlock>${v.cidr}</cidrBlock><associationId>vpc-cidr-assoc-${v.id.slice(4)}</associationId>` +
      `<cidrBlockState><state>associated</state></cidrBlockState></item></cidrBlockAssociationSet>` +
      `<dhcpOptionsId>dopt-00000000</dhcpOptionsId><instanceTenancy>default</instanceTenancy><isDefault>false</isDefault><tagSet/>`,
  );
  return response("DescribeVpcs", `<vpcSet>${items(rows)}</vpcSet>`);
}

/** Offline VPCs resolve DNS (support and hostnames on) and publish no address usage metrics. */
const VPC_ATTRIBUTES: Readonly<Record<string, boolean>> = {
  enableDnsSupport: true,
  enableDnsHostnames: true,
  enableNetworkAddressUsageMetrics: false,
};

function describeVpcAttribute(vpcs: OfflineVpc[], params: Params): Ec2Answer {
  const vpcId = params.get("VpcId") ?? "";
  const attribute = params.get("Attribute") ?? "";
  if (!vpcs.some((v) => v.id === vpcId)) {
    return error("InvalidVpcID.NotFound", `The vpc ID '${vpcId}' does not exist`);
  }
  const value = VPC_ATTRIBUTES[attribute];
  if (value === undefined)
    return error("InvalidParameterValue", `Attribute ${attribute} is not answered offline`);
  return response(
    "DescribeVpcAttribute",
    `<vpcId>${vpcId}</vpcId><${attribute}><value>${value}</value></${attribute}>`,
  );
}

function describeRouteTables(vpcs: OfflineVpc[], params: Params): Ec2Answer {
  const found = select(vpcs, params, { "vpc-id": (v) => v.id, "association.main": () => "true" });
  const rows = found.map(
    (v) =>
      `<routeTableId>${v.mainRouteTable}</routeTableId><vpcId>${v.id}</vpcId><ownerId>${OWNER}</ownerId>` +
      `<routeSet><item><destinationCidrBlock>${v.cidr}</destinationCidrBlock><gatewayId>local</gatewayId>` +
      `<state>active</state><origin>CreateRouteTable</origin></item></routeSet>` +
      `<associationSet><item><routeTableAssociationId>rtbassoc-${v.id.slice(4)}</routeTableAssociationId>` +
      `<routeTableId>${v.mainRouteTable}</routeTableId><main>true</main>` +
      `<associationState><state>associated</state></associationState></item></associationSet>` +
      `<propagatingVgwSet/><tagSet/>`,
  );
  return response("DescribeRouteTables", `<routeTableSet>${items(rows)}</routeTableSet>`);
}

function describeSubnets(subnets: OfflineSubnet[], params: Params, region: string): Ec2Answer {
  const ids = numbered(params, "SubnetId");
  const missing = ids.find((id) => !subnets.some((s) => s.id === id));
  if (missing) return error("InvalidSubnetID.NotFound", `The subnet ID '${missing}' does not exist`);
  const found = select(
    subnets.filter((s) => ids.length === 0 || ids.includes(s.id)),
    params,
    { "vpc-id": (s) => s.vpcId, "subnet-id": (s) => s.id, "availability-zone": (s) => s.zone },
  );
  const rows = found.map(
    (s) =>
      `<subnetId>${s.id}</subnetId><subnetArn>arn:aws:ec2:${region}:${OWNER}:subnet/${s.id}</subnetArn>` +
      `<state>available</state><ownerId>${OWNER}</ownerId><vpcId>${s.vpcId}</vpcId><cidrBlock>${s.cidr}</cidrBlock>` +
      `<availableIpAddressCount>251</availableIpAddressCount><availabilityZone>${s.zone}</availabilityZone>` +
      `<availabilityZoneId>${s.zone}</availabilityZoneId><defaultForAz>false</defaultForAz>` +
      `<mapPublicIpOnLaunch>false</mapPublicIpOnLaunch><assignIpv6AddressOnCreation>false</assignIpv6AddressOnCreation>` +
      `<ipv6CidrBlockAssociationSet/><tagSet/>`,
  );
  return response("DescribeSubnets", `<subnetSet>${items(rows)}</subnetSet>`);
}

/** The EC2 actions answered offline. */
export const EC2_ACTIONS = ["DescribeVpcs", "DescribeVpcAttribute", "DescribeRouteTables", "DescribeSubnets"];

/**
 * Answers one EC2 Query API request (its form-encoded body) from `network`, in `region`; any other
 * action gets EC2's `InvalidAction`, naming it.
 */
export function answerEc2(network: DeclaredNetwork, body: string, region: string): Ec2Answer {
  const params = new URLSearchParams(body);
  const action = params.get("Action") ?? "";
  const { vpcs, subnets } = model(network, region);
  switch (action) {
    case "DescribeVpcs":
      return describeVpcs(vpcs, params);
    case "DescribeVpcAttribute":
      return describeVpcAttribute(vpcs, params);
    case "DescribeRouteTables":
      return describeRouteTables(vpcs, params);
    case "DescribeSubnets":
      return describeSubnets(subnets, params, region);
    default:
      return error("InvalidAction", `${action} is not answered offline (only ${EC2_ACTIONS.join(", ")})`);
  }
}
