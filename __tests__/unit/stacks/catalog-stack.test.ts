import { AnnotationMetadataEntryType, Testing } from "cdktf";
import { TASK_EXECUTION_POLICY_ARN, PLACEHOLDER_IMAGE } from "../../../constructs/container-service";
import { IMAGE_DIGEST_VARIABLE, PLACEHOLDER_NETWORK } from "../../../stacks/catalog-config";
import { CatalogStack, CATALOG_PORT } from "../../../stacks/catalog-stack";
import { loadConfig } from "../../../stacks/config";
import { decodeJsonencode } from "../../../tooling/hcl-expression";
import { synthesize, synthesized, type SynthesizedStack } from "../../helpers/synth";

let dev: SynthesizedStack;
let staging: SynthesizedStack;

beforeAll(() => {
  dev = synthesized("catalog-dev");
  staging = synthesized("catalog-staging");
});

type Block = Record<string, unknown>;
const resource = (synth: SynthesizedStack, type: string, name: string) =>
  synth.resource[type]?.[name] as Block | undefined;
const names = (synth: SynthesizedStack, type: string) => Object.keys(synth.resource[type] ?? {}).sort();

describe("catalog-dev: the task's two roles", () => {
  it("the execution role has the AWS-managed task execution policy and no inline policy, both pinned", () => {
    expect(resource(dev, "aws_iam_role", "catalog_execution_role")).toMatchObject({
      name: "catalog-dev-execution",
      assume_role_policy: "${data.aws_iam_policy_document.ecs_tasks_assume_role_policy.json}",
    });
    expect(resource(dev, "aws_iam_role_policy_attachment", "catalog_execution_role_managed_1")).toEqual({
      role: "${aws_iam_role.catalog_execution_role.name}",
      policy_arn: TASK_EXECUTION_POLICY_ARN,
    });
    expect(resource(dev, "aws_iam_role_policy_attachments_exclusive", "catalog_execution_role")).toEqual({
      role_name: "${aws_iam_role.catalog_execution_role.name}",
      policy_arns: ["${aws_iam_role_policy_attachment.catalog_execution_role_managed_1.policy_arn}"],
    });
    expect(resource(dev, "aws_iam_role_policies_exclusive", "catalog_execution_role")).toEqual({
      role_name: "${aws_iam_role.catalog_execution_role.name}",
      policy_names: [],
    });
  });

  it("the task role has exactly GetItem on movie_infos, read from the movies service's link, and no managed policy", () => {
    expect(dev.data.aws_iam_policy_document?.catalog_task_role_policy_document).toEqual({
      statement: [
        {
          sid: "ReadMovieInfos",
          effect: "Allow",
          actions: ["dynamodb:GetItem"],
          resources: ["${data.aws_ssm_parameter.movie_infos_table_arn.value}"],
        },
      ],
    });
    expect(resource(dev, "aws_iam_role_policy", "catalog_task_role_policy")).toEqual({
      name: "catalog-dev-task",
      role: "${aws_iam_role.catalog_task_role.id}",
      policy: "${data.aws_iam_policy_document.catalog_task_role_policy_document.json}",
    });
    expect(resource(dev, "aws_iam_role_policies_exclusive", "catalog_task_role")).toEqual({
      role_name: "${aws_iam_role.catalog_task_role.name}",
      policy_names: ["${aws_iam_role_policy.catalog_task_role_policy.name}"],
    });
    expect(resource(dev, "aws_iam_role_policy_attachments_exclusive", "catalog_task_role")).toEqual({
      role_name: "${aws_iam_role.catalog_task_role.name}",
      policy_arns: [],
    });
    expect(names(dev, "aws_iam_role_policy_attachment")).toEqual(["catalog_execution_role_managed_1"]);
    expect(names(dev, "aws_iam_role_policy")).toEqual(["catalog_task_role_policy"]);
    expect(dev.data.aws_iam_policy_document?.ecs_tasks_assume_role_policy).toEqual({
      statement: [
        {
          effect: "Allow",
          actions: ["sts:AssumeRole"],
          principals: [{ type: "Service", identifiers: ["ecs-tasks.amazonaws.com"] }],
        },
      ],
    });
  });

  it("reads the table's name and ARN from the movies service's published links", () => {
    expect(dev.data.aws_ssm_parameter).toEqual({
      movie_infos_table_name: { name: "/movies-cdktf/dev/movies/movie-infos-table-name" },
      movie_infos_table_arn: { name: "/movies-cdktf/dev/movies/movie-infos-table-arn" },
    });
  });
});

describe("catalog-dev: security groups", () => {
  it("the tasks admit the container port from the VPC link's group only, and reach out on HTTPS", () => {
    expect(names(dev, "aws_vpc_security_group_ingress_rule")).toEqual([
      "catalog_network_endpoints_https",
      "catalog_tasks_from_vpc_link",
    ]);
    expect(resource(dev, "aws_vpc_security_group_ingress_rule", "catalog_tasks_from_vpc_link")).toEqual({
      security_group_id: "${aws_security_group.catalog_tasks.id}",
      referenced_security_group_id: "${aws_security_group.catalog_vpc_link.id}",
      ip_protocol: "tcp",
      from_port: CATALOG_PORT,
      to_port: CATALOG_PORT,
      description: "The container port, from the VPC link",
    });
    expect(dev.resource.aws_vpc_security_group_egress_rule).toEqual({
      catalog_vpc_link_to_tasks: {
        security_group_id: "${aws_security_group.catalog_vpc_link.id}",
        referenced_security_group_id: "${aws_security_group.catalog_tasks.id}",
        ip_protocol: "tcp",
        from_port: CATALOG_PORT,
        to_port: CATALOG_PORT,
        description: "The container port, to the tasks",
      },
      catalog_tasks_https: {
        security_group_id: "${aws_security_group.catalog_tasks.id}",
        cidr_ipv4: "0.0.0.0/0",
        ip_protocol: "tcp",
        from_port: 443,
        to_port: 443,
        description: "HTTPS to AWS APIs (ECR, CloudWatch Logs, DynamoDB)",
      },
    });
    // No inline rules: every rule is one of the resources above.
    for (const group of Object.values(dev.resource.aws_security_group ?? {})) {
      expect(group).not.toHaveProperty("ingress");
      expect(group).not.toHaveProperty("egress");
    }
  });
});

describe("catalog-dev: Cloud Map and the VPC link", () => {
  it("registers the tasks as SRV records of a private namespace in the VPC, healthy as ECS says", () => {
    expect(resource(dev, "aws_service_discovery_private_dns_namespace", "catalog_namespace")).toMatchObject({
      name: "catalog.dev.internal",
      vpc: "${aws_vpc.catalog_network.id}",
    });
    expect(resource(dev, "aws_service_discovery_service", "catalog_discovery")).toEqual({
      name: "app",
      dns_config: {
        namespace_id: "${aws_service_discovery_private_dns_namespace.catalog_namespace.id}",
        routing_policy: "MULTIVALUE",
        dns_records: [{ type: "SRV", ttl: 10 }],
      },
      health_check_custom_config: {},
    });
    expect(resource(dev, "aws_ecs_service", "catalog")).toMatchObject({
      service_registries: {
        registry_arn: "${aws_service_discovery_service.catalog_discovery.arn}",
        port: CATALOG_PORT,
      },
      network_configuration: {
        subnets: ["${aws_subnet.catalog_network_private_1.id}", "${aws_subnet.catalog_network_private_2.id}"],
        security_groups: ["${aws_security_group.catalog_tasks.id}"],
        assign_public_ip: false,
      },
      capacity_provider_strategy: [{ capacity_provider: "FARGATE", weight: 1 }],
    });
  });

  it("proxies every route through the VPC link to the Cloud Map service", () => {
    expect(resource(dev, "aws_apigatewayv2_vpc_link", "catalog")).toMatchObject({
      security_group_ids: ["${aws_security_group.catalog_vpc_link.id}"],
      subnet_ids: [
        "${aws_subnet.catalog_network_private_1.id}",
        "${aws_subnet.catalog_network_private_2.id}",
      ],
    });
    expect(resource(dev, "aws_apigatewayv2_integration", "catalog_integration")).toMatchObject({
      api_id: "${aws_apigatewayv2_api.catalog_api.id}",
      integration_type: "HTTP_PROXY",
      connection_type: "VPC_LINK",
      connection_id: "${aws_apigatewayv2_vpc_link.catalog.id}",
      integration_uri: "${aws_service_discovery_service.catalog_discovery.arn}",
    });
    const routes = Object.values(dev.resource.aws_apigatewayv2_route ?? {});
    expect(routes.map((r) => r.route_key)).toEqual(["GET /catalog/movies/{movieId}", "GET /health"]);
    for (const route of routes) {
      expect(route.target).toBe("integrations/${aws_apigatewayv2_integration.catalog_integration.id}");
    }
    expect(resource(dev, "aws_apigatewayv2_stage", "catalog_stage")).toMatchObject({
      name: "$default",
      auto_deploy: true,
      default_route_settings: { throttling_rate_limit: 50, throttling_burst_limit: 100 },
      access_log_settings: { destination_arn: "${aws_cloudwatch_log_group.catalog_access_logs.arn}" },
    });
  });
});

describe("catalog-dev: cluster, task and image", () => {
  it("runs on the FARGATE capacity provider with Container Insights, logging to its own log group", () => {
    expect(resource(dev, "aws_ecs_cluster_capacity_providers", "catalog")).toEqual({
      cluster_name: "${aws_ecs_cluster.catalog.name}",
      capacity_providers: ["FARGATE"],
      default_capacity_provider_strategy: [{ capacity_provider: "FARGATE", weight: 1 }],
    });
    expect(resource(dev, "aws_ecs_cluster", "catalog")).toMatchObject({
      setting: [{ name: "containerInsights", value: "enabled" }],
    });
    expect(resource(dev, "aws_cloudwatch_log_group", "catalog_log_group")).toEqual({
      name: "/ecs/catalog-dev",
      retention_in_days: 14,
    });
    const task = resource(dev, "aws_ecs_task_definition", "catalog") as Block;
    expect(task).toMatchObject({
      family: "catalog-dev",
      cpu: "256",
      memory: "512",
      network_mode: "awsvpc",
      requires_compatibilities: ["FARGATE"],
      execution_role_arn: "${aws_iam_role.catalog_execution_role.arn}",
      task_role_arn: "${aws_iam_role.catalog_task_role.arn}",
    });
    const [container] = decodeJsonencode(String(task.container_definitions)) as Block[];
    expect(container).toMatchObject({
      name: "app",
      image: PLACEHOLDER_IMAGE,
      environment: [
        { name: "MOVIE_INFOS_TABLE", value: "${data.aws_ssm_parameter.movie_infos_table_name.value}" },
        { name: "PORT", value: String(CATALOG_PORT) },
        { name: "AWS_REGION", value: "eu-central-1" },
      ],
      logConfiguration: {
        logDriver: "awslogs",
        options: {
          "awslogs-group": "${aws_cloudwatch_log_group.catalog_log_group.name}",
          "awslogs-region": "eu-central-1",
          "awslogs-stream-prefix": "app",
        },
      },
    });
  });

  it("without an image digest runs no task; the ECR repository scans on push and keeps tags immutable", () => {
    expect(resource(dev, "aws_ecs_service", "catalog")?.desired_count).toBe(0);
    expect(resource(dev, "aws_ecr_repository", "catalog")).toEqual({
      name: "catalog-dev",
      image_tag_mutability: "IMMUTABLE",
      image_scanning_configuration: { scan_on_push: true },
      force_delete: true,
    });
  });

  it("with MOVIES_CATALOG_IMAGE_DIGEST runs that image of its repository, desired count from config", () => {
    const digest = `sha256:${"ab".repeat(32)}`;
    const previous = process.env[IMAGE_DIGEST_VARIABLE];
    process.env[IMAGE_DIGEST_VARIABLE] = digest;
    try {
      const stack = new CatalogStack(Testing.app(), "catalog-dev", { config: loadConfig("dev", {}) });
      const synth = synthesize(stack);
      const task = resource(synth, "aws_ecs_task_definition", "catalog") as Block;
      const [container] = decodeJsonencode(String(task.container_definitions)) as Block[];
      expect(container?.image).toBe(`\${aws_ecr_repository.catalog.repository_url}@${digest}`);
      expect(resource(synth, "aws_ecs_service", "catalog")?.desired_count).toBe(1);
    } finally {
      if (previous === undefined) delete process.env[IMAGE_DIGEST_VARIABLE];
      else process.env[IMAGE_DIGEST_VARIABLE] = previous;
    }
  });
});

describe("catalog-dev: its own minimal VPC", () => {
  it("two private subnets in two zones, no internet or NAT gateway, endpoints for ECR, logs, S3 and DynamoDB", () => {
    expect(resource(dev, "aws_vpc", "catalog_network")).toMatchObject({
      cidr_block: "10.40.0.0/16",
      enable_dns_support: true,
      enable_dns_hostnames: true,
    });
    expect(
      names(dev, "aws_subnet").map((n) => {
        const s = resource(dev, "aws_subnet", n) as Block;
        return [s.cidr_block, s.availability_zone, s.map_public_ip_on_launch];
      }),
    ).toEqual([
      ["10.40.0.0/24", "eu-central-1a", false],
      ["10.40.1.0/24", "eu-central-1b", false],
    ]);
    expect(dev.resource.aws_internet_gateway).toBeUndefined();
    expect(dev.resource.aws_nat_gateway).toBeUndefined();
    expect(dev.resource.aws_route).toBeUndefined();
    const endpoints = Object.values(dev.resource.aws_vpc_endpoint ?? {}).map((e) => [
      e.service_name,
      e.vpc_endpoint_type,
    ]);
    expect(endpoints).toEqual([
      ["com.amazonaws.eu-central-1.dynamodb", "Gateway"],
      ["com.amazonaws.eu-central-1.ecr.api", "Interface"],
      ["com.amazonaws.eu-central-1.ecr.dkr", "Interface"],
      ["com.amazonaws.eu-central-1.logs", "Interface"],
      ["com.amazonaws.eu-central-1.s3", "Gateway"],
    ]);
    expect(dev.data.aws_vpc).toBeUndefined();
  });
});

describe("catalog-staging: the platform VPC, by id", () => {
  it("looks the VPC and each subnet up with data sources, each subnet in that VPC", () => {
    expect(staging.data.aws_vpc?.catalog_network).toMatchObject({
      id: PLACEHOLDER_NETWORK.vpcId,
      lifecycle: {
        postcondition: [
          expect.objectContaining({ condition: "${self.enable_dns_support && self.enable_dns_hostnames}" }),
        ],
      },
    });
    expect(staging.data.aws_subnet).toEqual({
      catalog_network_private_1: {
        id: PLACEHOLDER_NETWORK.privateSubnetIds[0],
        vpc_id: "${data.aws_vpc.catalog_network.id}",
      },
      catalog_network_private_2: {
        id: PLACEHOLDER_NETWORK.privateSubnetIds[1],
        vpc_id: "${data.aws_vpc.catalog_network.id}",
      },
    });
    expect(staging.resource.aws_vpc).toBeUndefined();
    expect(resource(staging, "aws_ecs_service", "catalog")?.network_configuration).toMatchObject({
      subnets: [
        "${data.aws_subnet.catalog_network_private_1.id}",
        "${data.aws_subnet.catalog_network_private_2.id}",
      ],
    });
    expect(resource(staging, "aws_service_discovery_private_dns_namespace", "catalog_namespace")?.vpc).toBe(
      "${data.aws_vpc.catalog_network.id}",
    );
  });

  it("refuses to deploy until the team sets the VPC and subnet ids, naming where", () => {
    const app = Testing.app();
    const stack = new CatalogStack(app, "catalog-staging", { config: loadConfig("staging", {}) });
    const errors = stack.node.metadata
      .filter((m) => m.type === AnnotationMetadataEntryType.ERROR)
      .map((m) => String(m.data));
    expect(errors).toEqual(
      expect.arrayContaining([
        expect.stringContaining("sharedCatalog.staging.network.vpcId in stacks/catalog-config.ts"),
        expect.stringContaining("sharedCatalog.staging.network.privateSubnetIds in stacks/catalog-config.ts"),
      ]),
    );
  });
});
