import { Construct } from "constructs";
import { TerraformOutput } from "cdktf";
import { ContainerService } from "../constructs/container-service";
import { physicalName } from "../constructs/core/naming";
import { DevelopmentNetwork, ExistingNetwork, type Network } from "../constructs/network";
import { LinkedValue } from "../constructs/service-link";
import {
  catalogProblems,
  catalogWarnings,
  loadCatalogConfig,
  PLACEHOLDER_NETWORK,
  type CatalogConfig,
} from "./catalog-config";
import type { EnvironmentConfig } from "./config";
import { reportErrors, reportWarnings } from "./remote-state";
import { ServiceStack } from "./service-stack";

export interface CatalogStackProps {
  readonly config: EnvironmentConfig;
}

/** The port the catalog container listens on (the Dockerfile's `PORT`). */
export const CATALOG_PORT = 8080;

/**
 * The catalog service: the movies' infos served by a container on ECS Fargate, reached without a load
 * balancer (docs/catalog.md):
 *
 *   client ──▶ HTTP API (GET /catalog/movies/{movieId}) ──▶ VPC link ──▶ Cloud Map SRV ──▶ Fargate tasks
 *                                                                                         └─▶ movie_infos
 *
 * The table is the movies service's, found through its published links (`/movies-cdktf/<env>/movies/...`),
 * so movies-<env> is deployed first. The network is the environment's platform VPC (looked up by id), or in
 * dev and developer stages a minimal VPC of the stack's own. Without an image digest the service runs no
 * task and the stack says so; without network ids (staging, prod until the team sets them) it cannot be
 * deployed and says what to set.
 */
export class CatalogStack extends ServiceStack {
  readonly catalog: CatalogConfig;
  readonly network: Network;
  readonly service: ContainerService;

  constructor(scope: Construct, id: string, props: CatalogStackProps) {
    super(scope, id, { config: props.config, service: "catalog" });
    const { environment, region, logRetentionDays, apiThrottling } = props.config;
    this.catalog = loadCatalogConfig(props.config);
    reportErrors(this, catalogProblems(environment, this.catalog));
    reportWarnings(this, catalogWarnings(environment, this.catalog));
    this.network = this.addNetwork(props.config);

    const link = { environment, service: "movies" };
    const tableName = new LinkedValue(this, "movie_infos_table_name", {
      ...link,
      name: "movie-infos-table-name",
    });
    const tableArn = new LinkedValue(this, "movie_infos_table_arn", {
      ...link,
      name: "movie-infos-table-arn",
    });

    this.service = new ContainerService(this, "catalog", {
      name: physicalName("catalog", environment),
      network: this.network,
      ...(this.catalog.imageDigest ? { imageDigest: this.catalog.imageDigest } : {}),
      source: "containers/catalog",
      containerPort: CATALOG_PORT,
      cpu: this.catalog.cpu,
      memory: this.catalog.memory,
      desiredCount: this.catalog.desiredCount,
      environment: {
        MOVIE_INFOS_TABLE: tableName.value,
        PORT: String(CATALOG_PORT),
        AWS_REGION: region,
      },
      // The server's one read (containers/catalog/catalog.ts): GetItem on movie_infos.
      taskStatements: [{ sid: "ReadMovieInfos", actions: ["dynamodb:GetItem"], resources: [tableArn.value] }],
      routes: [
        { method: "GET", path: "/catalog/movies/{movieId}" },
        { method: "GET", path: "/health" },
      ],
      region,
      namespaceName: `catalog.${environment}.internal`,
      throttling: apiThrottling,
      logRetentionDays,
      retainImages: props.config.data.retain,
    });

    new TerraformOutput(this, "catalog_api_url", {
      description: "Base URL of the catalog resource",
      value: `${this.service.apiEndpoint}/catalog/movies`,
    });
    new TerraformOutput(this, "catalog_repository_url", {
      description: "Push the catalog image here; deploy with its digest in MOVIES_CATALOG_IMAGE_DIGEST",
      value: this.service.repository.repositoryUrl,
    });
    new TerraformOutput(this, "catalog_image", { value: this.service.image });
  }

  /** The platform VPC by id (placeholder ids while unset: the stack then refuses to deploy), or dev's own. */
  private addNetwork(config: EnvironmentConfig): Network {
    const { network } = this.catalog;
    if (network.mode === "create") {
      return new DevelopmentNetwork(this, "catalog_network", {
        name: "catalog",
        environment: config.environment,
        region: config.region,
        cidrBlock: network.cidrBlock,
      });
    }
    const privateSubnetIds = network.privateSubnetIds ?? [];
    return new ExistingNetwork(this, "catalog_network", {
      vpcId: network.vpcId ?? PLACEHOLDER_NETWORK.vpcId,
      privateSubnetIds:
        privateSubnetIds.length >= 2 ? privateSubnetIds : PLACEHOLDER_NETWORK.privateSubnetIds,
    });
  }
}
