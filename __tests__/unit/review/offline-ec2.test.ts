import { answerEc2, declaredNetwork, EC2_NAMESPACE } from "../../../review/offline-ec2";
import { startOfflineAws } from "../../../review/terraform";

const network = declaredNetwork({
  "catalog-staging": {
    data: {
      aws_vpc: { platform: { id: "vpc-0aaa" } },
      aws_subnet: {
        private_1: { id: "subnet-0b", vpc_id: "${data.aws_vpc.platform.id}" },
        private_2: { id: "subnet-0a", vpc_id: "${data.aws_vpc.platform.id}" },
      },
    },
  },
  "other-prod": { data: { aws_subnet: { lone: { id: "subnet-0c", vpc_id: "vpc-0bbb" } } } },
});

const form = (fields: Record<string, string>) =>
  new URLSearchParams({ Version: "2016-11-15", ...fields }).toString();
const values = (xml: string, tag: string) =>
  [...xml.matchAll(new RegExp(`<${tag}>([^<]*)</${tag}>`, "g"))].map((m) => m[1]);

describe("declaredNetwork", () => {
  it("collects the looked-up VPC ids and each looked-up subnet with its VPC (a literal or a data.aws_vpc reference)", () => {
    expect(network.vpcs).toEqual(["vpc-0aaa", "vpc-0bbb"]);
    expect([...network.subnets]).toEqual([
      ["subnet-0b", "vpc-0aaa"],
      ["subnet-0a", "vpc-0aaa"],
      ["subnet-0c", "vpc-0bbb"],
    ]);
  });
});

describe("answerEc2", () => {
  it("DescribeVpcs: a declared VPC, in EC2's namespace; an unknown one is InvalidVpcID.NotFound", () => {
    const found = answerEc2(network, form({ Action: "DescribeVpcs", "VpcId.1": "vpc-0aaa" }), "eu-central-1");
    expect(found.status).toBe(200);
    expect(found.body).toContain(`<DescribeVpcsResponse xmlns="${EC2_NAMESPACE}">`);
    expect(values(found.body, "vpcId")).toEqual(["vpc-0aaa"]);
    expect(values(found.body, "state")).toContain("available");
    const missing = answerEc2(
      network,
      form({ Action: "DescribeVpcs", "VpcId.1": "vpc-0zzz" }),
      "eu-central-1",
    );
    expect(missing.status).toBe(400);
    expect(values(missing.body, "Code")).toEqual(["InvalidVpcID.NotFound"]);
  });

  it("DescribeVpcAttribute: DNS support and hostnames on, address usage metrics off", () => {
    const attribute = (name: string) =>
      answerEc2(
        network,
        form({ Action: "DescribeVpcAttribute", VpcId: "vpc-0aaa", Attribute: name }),
        "eu-central-1",
      );
    expect(attribute("enableDnsSupport").body).toContain(
      "<enableDnsSupport><value>true</value></enableDnsSupport>",
    );
    expect(attribute("enableDnsHostnames").body).toContain(
      "<enableDnsHostnames><value>true</value></enableDnsHostnames>",
    );
    expect(attribute("enableNetworkAddressUsageMetrics").body).toContain("<value>false</value>");
  });

  it("DescribeRouteTables: the VPC's main route table, by the filters the provider sends", () => {
    const answer = answerEc2(
      network,
      form({
        Action: "DescribeRouteTables",
        "Filter.1.Name": "association.main",
        "Filter.1.Value.1": "true",
        "Filter.2.Name": "vpc-id",
        "Filter.2.Value.1": "vpc-0bbb",
      }),
      "eu-central-1",
    );
    expect(values(answer.body, "routeTableId")).toEqual(["rtb-0bbb", "rtb-0bbb"]);
    expect(values(answer.body, "main")).toEqual(["true"]);
  });

  it("DescribeSubnets: by id and VPC filter, in zones a, b, ... of the signed region; a subnet of another VPC is not found", () => {
    const inVpc = (subnet: string, vpc: string) =>
      answerEc2(
        network,
        form({
          Action: "DescribeSubnets",
          "SubnetId.1": subnet,
          "Filter.1.Name": "vpc-id",
          "Filter.1.Value.1": vpc,
        }),
        "eu-west-1",
      );
    const a = inVpc("subnet-0a", "vpc-0aaa").body;
    expect(values(a, "subnetId")).toEqual(["subnet-0a"]);
    expect(values(a, "availabilityZone")).toEqual(["eu-west-1a"]);
    expect(values(a, "cidrBlock")).toEqual(["10.0.0.0/24"]);
    expect(values(inVpc("subnet-0b", "vpc-0aaa").body, "availabilityZone")).toEqual(["eu-west-1b"]);
    expect(values(inVpc("subnet-0c", "vpc-0aaa").body, "subnetId")).toEqual([]);
    const unknown = answerEc2(
      network,
      form({ Action: "DescribeSubnets", "SubnetId.1": "subnet-0x" }),
      "eu-west-1",
    );
    expect(values(unknown.body, "Code")).toEqual(["InvalidSubnetID.NotFound"]);
  });

  it("names any other action as not answered offline", () => {
    const answer = answerEc2(network, form({ Action: "RunInstances" }), "eu-central-1");
    expect(answer.status).toBe(400);
    expect(values(answer.body, "Code")).toEqual(["InvalidAction"]);
    expect(answer.body).toContain("RunInstances is not answered offline");
  });
});

describe("startOfflineAws and EC2", () => {
  it("answers requests signed for ec2 from the declared network, in the signed region", async () => {
    const aws = await startOfflineAws(new Map(), network);
    try {
      const response = await fetch(aws.endpoint, {
        method: "POST",
        headers: {
          "content-type": "application/x-www-form-urlencoded; charset=utf-8",
          authorization:
            "AWS4-HMAC-SHA256 Credential=AKIAOFFLINEPLAN00000/20261201/eu-central-1/ec2/aws4_request",
        },
        body: form({ Action: "DescribeSubnets", "SubnetId.1": "subnet-0b" }),
      });
      const body = await response.text();
      expect(response.status).toBe(200);
      expect(values(body, "vpcId")).toEqual(["vpc-0aaa"]);
      expect(values(body, "availabilityZone")).toEqual(["eu-central-1b"]);
    } finally {
      await aws.close();
    }
  });
});
