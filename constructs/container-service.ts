import type { Construct } from "constructs";
import { Apigatewayv2Api } from "@cdktf/provider-aws/lib/apigatewayv2-api";
import { Apigatewayv2Integration } from "@cdktf/provider-aws/lib/apigatewayv2-integration";
import { Apigatewayv2Route } from "@cdktf/provider-aws/lib/apigatewayv2-route";
import { Apigatewayv2Stage } from "@cdktf/provider-aws/lib/apigatewayv2-stage";
import { Apigatewayv2VpcLink } from "@cdktf/provider-aws/lib/apigatewayv2-vpc-link";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { EcrRepository } from "@cdktf/provider-aws/lib/ecr-repository";
import { EcsCluster } from "@cdktf/provider-aws/lib/ecs-cluster";
import { EcsClusterCapacityProviders } from "@cdktf/provider-aws/lib/ecs-cluster-capacity-providers";
import { EcsService } from "@cdktf/provider-aws/lib/ecs-service";
import { EcsTaskDefinition } from "@cdktf/provider-aws/lib/ecs-task-definition";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { ServiceDiscoveryPrivateDnsNamespace } from "@cdktf/provider-aws/lib/service-discovery-private-dns-namespace";
import { ServiceDiscoveryService } from "@cdktf/provider-aws/lib/service-discovery-service";
import { VpcSecurityGroupEgressRule } from "@cdktf/provider-aws/lib/vpc-security-group-egress-rule";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { jsonencode } from "./core/jsonencode";
import { metric, type Metric, type MetricOptions } from "./core/metrics";
import { derivedName, logGroupName } from "./core/naming";
import { ResourceConstruct } from "./core/resource-construct";
import type { PolicyStatement } from "./core/iam";
import type { Network } from "./network";
import { TaskRole } from "./task-role";

/** One route of the HTTP API: `GET /catalog/movies/{movieId}`. */
export interface ContainerRoute {
  readonly method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE" | "HEAD" | "ANY";
  /** The path template, with `{parameters}` (`/catalog/movies/{movieId}`). */
  readonly path: string;
}

export interface ContainerServiceProps {
  /** The physical name of the cluster, service, task family, repository and API (`catalog-dev`). */
  readonly name: string;
  /** Where the tasks and the VPC link run. */
  readonly network: Network;
  /**
   * The image digest (`sha256:...`) in the service's own ECR repository the tasks run.
   * @default none: the task definition names `PLACEHOLDER_IMAGE` and the service runs no task
   */
  readonly imageDigest?: string;
  /**
   * The project folder of the service's code (`containers/catalog`), tagged on the task definition
   * (`source`): where the image is built from, and what a local run starts in its place.
   */
  readonly source: string;
  /** The port the container listens on. */
  readonly containerPort: number;
  /** Fargate CPU units and memory (MiB). */
  readonly cpu: number;
  readonly memory: number;
  /** Tasks to keep running (0 whenever no image is given). */
  readonly desiredCount: number;
  /** The container's environment variables. */
  readonly environment?: Readonly<Record<string, string>>;
  /** What the application may do (the task role's one inline policy). */
  readonly taskStatements: readonly PolicyStatement[];
  /** The HTTP API's routes; each goes to the service through the VPC link. */
  readonly routes: readonly ContainerRoute[];
  /** The region (the awslogs driver's). */
  readonly region: string;
  /** The Cloud Map namespace (`catalog.dev.internal`). */
  readonly namespaceName: string;
  /** Stage-wide throttling of the HTTP API. */
  readonly throttling: { readonly rateLimit: number; readonly burstLimit: number };
  /** Retention of the container's and the API's log groups. */
  readonly logRetentionDays: number;
  /**
   * Keep the repository's images when the stack is destroyed.
   * @default false: `destroy` deletes the repository and its images
   */
  readonly retainImages?: boolean;
}

/** What the task definition names while no image has been pushed: the stack says so, and runs 0 tasks. */
export const PLACEHOLDER_IMAGE = "public.ecr.aws/docker/library/busybox:placeholder-no-image-pushed";

/** The AWS-managed policy every Fargate task execution role starts from (ECR pull, awslogs). */
export const TASK_EXECUTION_POLICY_ARN =
  "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy";

/** The container's name in the task definition. */
export const CONTAINER_NAME = "app";

/**
 * A container service behind an HTTP API, without a load balancer: API Gateway → VPC link → Cloud Map
 * (SRV records of the running tasks) → ECS on Fargate. Addresses derive from the id (`catalog`):
 *
 * - `aws_ecr_repository.<id>` (scan on push, immutable tags): the image the tasks run, by digest.
 * - `aws_ecs_cluster.<id>` with Container Insights, `aws_ecs_cluster_capacity_providers.<id>` (FARGATE),
 *   `aws_ecs_task_definition.<id>` (awslogs to `aws_cloudwatch_log_group.<id>_log_group`),
 *   `aws_ecs_service.<id>` in the private subnets, no public IP, rolled back when a deployment fails.
 * - The task's two roles (`TaskRole`): `<id>_execution_role` (the AWS-managed task execution policy, and
 *   nothing else) and `<id>_task_role` (exactly `taskStatements`), each pinned by the exclusive resources.
 * - `aws_service_discovery_private_dns_namespace.<id>_namespace` and `aws_service_discovery_service.<id>`:
 *   SRV records of the tasks, healthy as ECS says (custom health check).
 * - `aws_security_group.<id>_vpc_link` and `<id>_tasks`: the tasks admit the container port from the VPC
 *   link's group only; the VPC link may reach nothing else.
 * - `aws_apigatewayv2_api.<id>_api`, `aws_apigatewayv2_vpc_link.<id>`, one HTTP_PROXY integration to the
 *   Cloud Map service, a route per `routes` entry, and the `$default` stage (auto-deployed, throttled,
 *   JSON access logs).
 *
 * Its `metric*()` methods describe what the stack's monitoring watches.
 */
export class ContainerService extends ResourceConstruct {
  readonly repository: EcrRepository;
  readonly cluster: EcsCluster;
  readonly taskDefinition: EcsTaskDefinition;
  readonly service: EcsService;
  readonly logGroup: CloudwatchLogGroup;
  readonly executionRole: TaskRole;
  readonly taskRole: TaskRole;
  readonly namespace: ServiceDiscoveryPrivateDnsNamespace;
  readonly discoveryService: ServiceDiscoveryService;
  readonly vpcLinkSecurityGroup: SecurityGroup;
  readonly taskSecurityGroup: SecurityGroup;
  readonly api: Apigatewayv2Api;
  readonly vpcLink: Apigatewayv2VpcLink;
  readonly integration: Apigatewayv2Integration;
  readonly routes: readonly Apigatewayv2Route[];
  readonly stage: Apigatewayv2Stage;
  readonly accessLogGroup: CloudwatchLogGroup;
  /** The cluster's and the service's names (`catalog-dev`), as CloudWatch knows them. */
  readonly clusterName: string;
  readonly serviceName: string;
  /** The image the task definition names: `<repository url>@<digest>`, or {@link PLACEHOLDER_IMAGE}. */
  readonly image: string;
  /** The HTTP API's URL (`https://<id>.execute-api.<region>.amazonaws.com`). */
  readonly apiEndpoint: string;
  readonly desiredCount: number;

  constructor(scope: Construct, id: string, props: ContainerServiceProps) {
    super(scope, id);
    this.repository = this.address(
      new EcrRepository(this, "repository", {
        name: props.name,
        imageTagMutability: "IMMUTABLE",
        imageScanningConfiguration: { scanOnPush: true },
        forceDelete: !(props.retainImages ?? false),
      }),
    );
    this.image = props.imageDigest
      ? `${this.repository.repositoryUrl}@${props.imageDigest}`
      : PLACEHOLDER_IMAGE;
    this.desiredCount = props.imageDigest ? props.desiredCount : 0;

    this.cluster = this.address(
      new EcsCluster(this, "cluster", {
        name: props.name,
        setting: [{ name: "containerInsights", value: "enabled" }],
      }),
    );
    this.clusterName = this.cluster.name;
    this.address(
      new EcsClusterCapacityProviders(this, "capacity_providers", {
        clusterName: this.cluster.name,
        capacityProviders: ["FARGATE"],
        defaultCapacityProviderStrategy: [{ capacityProvider: "FARGATE", weight: 1 }],
      }),
    );

    this.logGroup = this.address(
      new CloudwatchLogGroup(this, "log_group", {
        name: logGroupName.ecs(props.name),
        retentionInDays: props.logRetentionDays,
      }),
      "log_group",
    );
    this.executionRole = new TaskRole(this, "execution_role", {
      terraformName: `${this.terraformName}_execution_role`,
      name: derivedName(props.name, "execution"),
      description: `Pulls ${props.name}'s image and ships its logs`,
      managedPolicyArns: [TASK_EXECUTION_POLICY_ARN],
      statements: [],
    });
    this.taskRole = new TaskRole(this, "task_role", {
      terraformName: `${this.terraformName}_task_role`,
      name: derivedName(props.name, "task"),
      description: `What ${props.name}'s application may do`,
      managedPolicyArns: [],
      statements: props.taskStatements,
    });

    this.taskDefinition = this.addTaskDefinition(props);
    const network = this.addSecurityGroups(props);
    this.vpcLinkSecurityGroup = network.vpcLink;
    this.taskSecurityGroup = network.tasks;
    const discovery = this.addDiscovery(props);
    this.namespace = discovery.namespace;
    this.discoveryService = discovery.service;
    this.service = this.addService(props);
    this.serviceName = this.service.name;

    const api = this.addApi(props);
    this.api = api.api;
    this.vpcLink = api.vpcLink;
    this.integration = api.integration;
    this.routes = api.routes;
    this.stage = api.stage;
    this.accessLogGroup = api.accessLogGroup;
    this.apiEndpoint = this.api.apiEndpoint;
  }

  private addTaskDefinition(props: ContainerServiceProps): EcsTaskDefinition {
    const container = {
      name: CONTAINER_NAME,
      image: this.image,
      essential: true,
      readonlyRootFilesystem: true,
      portMappings: [{ name: "http", containerPort: props.containerPort, protocol: "tcp" }],
      environment: Object.entries(props.environment ?? {}).map(([name, value]) => ({ name, value })),
      // The image's own HEALTHCHECK, restated: ECS ignores a Dockerfile's, and Cloud Map's health is ECS's.
      healthCheck: {
        command: ["CMD", "node", "healthcheck.js"],
        interval: 15,
        timeout: 5,
        retries: 3,
        startPeriod: 10,
      },
      logConfiguration: {
        logDriver: "awslogs",
        options: {
          "awslogs-group": this.logGroup.name,
          "awslogs-region": props.region,
          "awslogs-stream-prefix": CONTAINER_NAME,
        },
      },
    };
    return this.address(
      new EcsTaskDefinition(this, "task_definition", {
        family: props.name,
        requiresCompatibilities: ["FARGATE"],
        networkMode: "awsvpc",
        cpu: String(props.cpu),
        memory: String(props.memory),
        runtimePlatform: { operatingSystemFamily: "LINUX", cpuArchitecture: "X86_64" },
        executionRoleArn: this.executionRole.roleArn,
        taskRoleArn: this.taskRole.roleArn,
        containerDefinitions: jsonencode([container]),
        tags: { source: props.source },
      }),
    );
  }

  /** The VPC link's group reaches the tasks on the container port; the tasks admit nothing else. */
  private addSecurityGroups(props: ContainerServiceProps) {
    const group = (suffix: string, description: string) =>
      this.address(
        new SecurityGroup(this, suffix, {
          name: derivedName(props.name, suffix.replaceAll("_", "-")),
          description,
          vpcId: props.network.vpcId,
        }),
        suffix,
      );
    const vpcLink = group("vpc_link", "API Gateway's VPC link: reaches the tasks, nothing else");
    const tasks = group("tasks", "The tasks: the container port from the VPC link only");
    const port = { ipProtocol: "tcp", fromPort: props.containerPort, toPort: props.containerPort };
    this.address(
      new VpcSecurityGroupIngressRule(this, "tasks_from_vpc_link", {
        securityGroupId: tasks.id,
        description: "The container port, from the VPC link",
        referencedSecurityGroupId: vpcLink.id,
        ...port,
      }),
      "tasks_from_vpc_link",
    );
    this.address(
      new VpcSecurityGroupEgressRule(this, "vpc_link_to_tasks", {
        securityGroupId: vpcLink.id,
        description: "The container port, to the tasks",
        referencedSecurityGroupId: tasks.id,
        ...port,
      }),
      "vpc_link_to_tasks",
    );
    // ECR, CloudWatch Logs and DynamoDB are HTTPS endpoints (VPC endpoints or NAT, as the network has).
    this.address(
      new VpcSecurityGroupEgressRule(this, "tasks_https", {
        securityGroupId: tasks.id,
        description: "HTTPS to AWS APIs (ECR, CloudWatch Logs, DynamoDB)",
        ipProtocol: "tcp",
        fromPort: 443,
        toPort: 443,
        cidrIpv4: "0.0.0.0/0",
      }),
      "tasks_https",
    );
    return { vpcLink, tasks };
  }

  private addDiscovery(props: ContainerServiceProps) {
    const namespace = this.address(
      new ServiceDiscoveryPrivateDnsNamespace(this, "namespace", {
        name: props.namespaceName,
        description: `Service discovery of ${props.name}`,
        vpc: props.network.vpcId,
      }),
      "namespace",
    );
    const service = this.address(
      new ServiceDiscoveryService(this, "discovery", {
        name: CONTAINER_NAME,
        dnsConfig: {
          namespaceId: namespace.id,
          routingPolicy: "MULTIVALUE",
          // SRV: API Gateway's VPC link needs the port as well as the address.
          dnsRecords: [{ type: "SRV", ttl: 10 }],
        },
        // ECS reports each task's health (its container health check) to Cloud Map.
        healthCheckCustomConfig: {},
      }),
      "discovery",
    );
    return { namespace, service };
  }

  private addService(props: ContainerServiceProps): EcsService {
    return this.address(
      new EcsService(this, "service", {
        name: props.name,
        cluster: this.cluster.arn,
        taskDefinition: this.taskDefinition.arn,
        desiredCount: this.desiredCount,
        capacityProviderStrategy: [{ capacityProvider: "FARGATE", weight: 1 }],
        networkConfiguration: {
          subnets: [...props.network.privateSubnetIds],
          securityGroups: [this.taskSecurityGroup.id],
          assignPublicIp: false,
        },
        serviceRegistries: { registryArn: this.discoveryService.arn, port: props.containerPort },
        deploymentCircuitBreaker: { enable: true, rollback: true },
        deploymentMinimumHealthyPercent: 100,
        deploymentMaximumPercent: 200,
        propagateTags: "SERVICE",
        enableEcsManagedTags: true,
      }),
    );
  }

  private addApi(props: ContainerServiceProps) {
    const api = this.address(
      new Apigatewayv2Api(this, "api", {
        name: props.name,
        protocolType: "HTTP",
        description: `${props.name}: routes to the ECS service through a VPC link`,
      }),
      "api",
    );
    const vpcLink = this.address(
      new Apigatewayv2VpcLink(this, "vpc_link_resource", {
        name: props.name,
        securityGroupIds: [this.vpcLinkSecurityGroup.id],
        subnetIds: [...props.network.privateSubnetIds],
      }),
    );
    const integration = this.address(
      new Apigatewayv2Integration(this, "integration", {
        apiId: api.id,
        integrationType: "HTTP_PROXY",
        integrationMethod: "ANY",
        connectionType: "VPC_LINK",
        connectionId: vpcLink.id,
        integrationUri: this.discoveryService.arn,
        payloadFormatVersion: "1.0",
        timeoutMilliseconds: 10_000,
      }),
      "integration",
    );
    const routes = props.routes.map((route, i) =>
      this.address(
        new Apigatewayv2Route(this, `route_${i + 1}`, {
          apiId: api.id,
          routeKey: `${route.method} ${route.path}`,
          target: `integrations/${integration.id}`,
        }),
        `route_${i + 1}`,
      ),
    );
    const accessLogGroup = this.address(
      new CloudwatchLogGroup(this, "access_logs", {
        name: logGroupName.apiAccessLogs(props.name),
        retentionInDays: props.logRetentionDays,
      }),
      "access_logs",
    );
    const stage = this.address(
      new Apigatewayv2Stage(this, "stage", {
        apiId: api.id,
        // `$default`: no stage segment in the URL, so the container sees the paths its routes declare.
        name: "$default",
        autoDeploy: true,
        defaultRouteSettings: {
          throttlingRateLimit: props.throttling.rateLimit,
          throttlingBurstLimit: props.throttling.burstLimit,
          detailedMetricsEnabled: true,
        },
        accessLogSettings: { destinationArn: accessLogGroup.arn, format: jsonencode(HTTP_ACCESS_LOG_FORMAT) },
      }),
      "stage",
    );
    return { api, vpcLink, integration, routes, stage, accessLogGroup };
  }

  /** A metric of the ECS service (`AWS/ECS`, by `ClusterName` and `ServiceName`). */
  metric(metricName: string, options?: MetricOptions): Metric {
    return metric(
      "AWS/ECS",
      metricName,
      { ClusterName: this.clusterName, ServiceName: this.serviceName },
      options,
    );
  }

  metricCpuUtilization(options?: MetricOptions): Metric {
    return this.metric("CPUUtilization", options);
  }

  metricMemoryUtilization(options?: MetricOptions): Metric {
    return this.metric("MemoryUtilization", options);
  }

  /** Tasks running, from Container Insights (`ECS/ContainerInsights`). */
  metricRunningTaskCount(options?: MetricOptions): Metric {
    return this.insightsMetric("RunningTaskCount", options);
  }

  /** Tasks the service wants, from Container Insights. */
  metricDesiredTaskCount(options?: MetricOptions): Metric {
    return this.insightsMetric("DesiredTaskCount", options);
  }

  private insightsMetric(metricName: string, options?: MetricOptions): Metric {
    return metric(
      "ECS/ContainerInsights",
      metricName,
      { ClusterName: this.clusterName, ServiceName: this.serviceName },
      options,
    );
  }

  /** A metric of the HTTP API's `$default` stage (`AWS/ApiGateway`, by `ApiId` and `Stage`). */
  apiMetric(metricName: string, options?: MetricOptions): Metric {
    return metric("AWS/ApiGateway", metricName, { ApiId: this.api.id, Stage: "$default" }, options);
  }

  /** Responses with a 5xx status (HTTP APIs name it `5xx`). */
  metricApiServerError(options?: MetricOptions): Metric {
    return this.apiMetric("5xx", options);
  }

  metricApiClientError(options?: MetricOptions): Metric {
    return this.apiMetric("4xx", options);
  }

  metricApiCount(options?: MetricOptions): Metric {
    return this.apiMetric("Count", options);
  }

  metricApiLatency(options?: MetricOptions): Metric {
    return this.apiMetric("Latency", options);
  }
}

/** One JSON line per request in the HTTP API's access log (HTTP API `$context` variables). */
export const HTTP_ACCESS_LOG_FORMAT = {
  requestId: "$context.requestId",
  ip: "$context.identity.sourceIp",
  userAgent: "$context.identity.userAgent",
  requestTime: "$context.requestTime",
  httpMethod: "$context.httpMethod",
  routeKey: "$context.routeKey",
  path: "$context.path",
  status: "$context.status",
  protocol: "$context.protocol",
  responseLength: "$context.responseLength",
  responseLatency: "$context.responseLatency",
  integrationLatency: "$context.integration.latency",
  integrationStatus: "$context.integration.status",
  integrationError: "$context.integration.error",
  errorMessage: "$context.error.message",
} as const;
