import { Construct } from "constructs";
import { TerraformOutput } from "cdktf";
import { BundledFunction } from "../constructs/bundled-function";
import { IngestionBucket } from "../constructs/ingestion-bucket";
import { IngestionStateMachine } from "../constructs/ingestion-state-machine";
import { physicalName } from "../constructs/core/naming";
import { RestApi } from "../constructs/rest-api";
import { PublishedLink } from "../constructs/service-link";
import { Table } from "../constructs/table";
import { writeRoutesAuthorizer } from "./auth-stack";
import type { EnvironmentConfig } from "./config";
import { UPDATE_RATING_MODEL } from "./movies-models";
import { CSV_COLUMNS } from "../lambdas/shared/movies-contract";
import { ServiceStack } from "./service-stack";

export interface MoviesStackProps {
  readonly config: EnvironmentConfig;
}

/**
 * The Movies app of "How to Serverless with AWS", part 2, in the order of the workshop's action plan:
 * tables, bucket, roles and policies, functions, REST API, permissions, bucket notification.
 *
 *   S3 (*.csv) ──▶ upload-infos ──▶ movie_infos ◀── get-movie ◀── GET   /movies/{movieId}
 *                                  movie_ratings ◀── update-rating ◀── PATCH /movies/{movieId}
 *
 * Alarms, dashboard and guardrails come from `ServiceStack` and the constructs; this stack only adds
 * what is specific to it: upload-infos's failure queue and the ingestion metrics from its logs.
 */
export class MoviesStack extends ServiceStack {
  readonly movieInfos: Table;
  readonly movieRatings: Table;
  readonly bucket: IngestionBucket;
  readonly getMovie: BundledFunction;
  readonly updateRating: BundledFunction;
  readonly uploadInfos: BundledFunction;
  /** The fan-out path: one batch of a large upload's rows per invocation. */
  readonly uploadInfosBatch: BundledFunction;
  /** The Distributed Map that ingests uploads above `ingestion.fanOutThresholdBytes`. */
  readonly ingestionStateMachine: IngestionStateMachine;
  readonly api: RestApi;

  constructor(scope: Construct, id: string, props: MoviesStackProps) {
    super(scope, id, { config: props.config, service: "movies" });
    const { environment, data } = props.config;
    // Staging and prod: no plan may destroy a table; dev: `cdktf destroy` empties the bucket too.
    const retain = { deletionProtection: data.retain, preventDestroy: data.retain };

    // 1. Tables
    this.movieInfos = new Table(this, "movie_infos_table", {
      name: "movie_infos",
      environment,
      hashKey: { name: "movie_id", type: "S" },
      ...retain,
    });
    this.movieRatings = new Table(this, "movie_ratings_table", {
      name: "movie_ratings",
      environment,
      hashKey: { name: "movie_id", type: "S" },
      ...retain,
    });

    // 2. Bucket, named from the account id like the workshop's
    this.bucket = new IngestionBucket(this, "movie_infos_bucket", {
      name: "movie-infos",
      environment,
      notificationId: "movies_bucket_notification",
      noncurrentVersionExpirationDays: data.noncurrentVersionExpirationDays,
      forceDestroy: !data.retain,
    });

    // 3.–6. Functions, each with its role, least-privilege policy, log group and `live` alias
    const functions = this.addFunctions(props.config);
    this.getMovie = functions.getMovie;
    this.updateRating = functions.updateRating;
    this.uploadInfos = functions.uploadInfos;

    // 7.–8. REST API: /movies/{movieId} with GET and PATCH, each allowed to invoke only its function
    this.api = this.addApi(props.config);

    // 9. Every *.csv uploaded to the bucket goes to upload-infos
    this.bucket.notifyOnObjectCreated(this.uploadInfos, { suffix: ".csv" });

    // Above the threshold, upload-infos starts the Distributed Map instead of reading the object itself.
    this.uploadInfosBatch = functions.uploadInfosBatch;
    this.ingestionStateMachine = this.addFanOut(props.config);

    // Rows written and rejected, from upload-infos's one summary line per object.
    this.monitoring.addLogMetrics(this.uploadInfos, {
      title: "Ingestion: rows written / rejected",
      filterPattern: '{ $.message = "ingested movie infos" }',
      metrics: { RowsWritten: "$.written", RowsRejected: "$.rejectedCount" },
    });
    // ...and from upload-infos-batch's one summary line per batch of a large upload.
    this.monitoring.addLogMetrics(this.uploadInfosBatch, {
      title: "Fan-out ingestion: rows written / rejected",
      filterPattern: '{ $.message = "ingested movie infos" }',
      metrics: { BatchRowsWritten: "$.written", BatchRowsRejected: "$.rejectedCount" },
    });

    this.addOutputs();
    this.publishLinks(environment);
  }

  /** What other services of the environment read: the catalog service reads movie_infos (docs/catalog.md). */
  private publishLinks(environment: string): void {
    new PublishedLink(this, "movie_infos_table_name_link", {
      environment,
      service: "movies",
      name: "movie-infos-table-name",
      value: this.movieInfos.tableName,
      description: "The movie_infos table's name",
    });
    new PublishedLink(this, "movie_infos_table_arn_link", {
      environment,
      service: "movies",
      name: "movie-infos-table-arn",
      value: this.movieInfos.tableArn,
      description: "The movie_infos table's ARN",
    });
  }

  /** The three functions of the workshop, each granted exactly what its code uses. */
  private addFunctions(config: EnvironmentConfig) {
    const { environment, lambda, logRetentionDays } = config;
    const common = {
      memorySize: lambda.memorySize,
      timeout: lambda.timeout,
      reservedConcurrency: lambda.reservedConcurrency,
      logRetentionDays,
    };
    const getMovie = new BundledFunction(this, "get_movie_lambda", {
      ...common,
      entry: "lambdas/get-movie/index.ts",
      functionName: physicalName("get-movie", environment),
      description: "GET /movies/{movieId}: the movie's info merged with its ratings",
    });
    // One BatchGetItem reads the movie's info and its ratings together; nothing else reads.
    getMovie.grantTable(this.movieInfos, "MOVIE_INFOS_TABLE", ["dynamodb:BatchGetItem"]);
    getMovie.grantTable(this.movieRatings, "MOVIE_RATINGS_TABLE", ["dynamodb:BatchGetItem"]);

    const updateRating = new BundledFunction(this, "update_movie_rating_lambda", {
      ...common,
      entry: "lambdas/update-rating/index.ts",
      functionName: physicalName("update-rating", environment),
      description: "PATCH /movies/{movieId}: updates the ratings of a movie that exists",
    });
    updateRating.grantTable(this.movieRatings, "MOVIE_RATINGS_TABLE", ["dynamodb:UpdateItem"]);
    updateRating.grantTable(this.movieInfos, "MOVIE_INFOS_TABLE", ["dynamodb:ConditionCheckItem"]);

    const uploadInfos = new BundledFunction(this, "upload_movie_infos_lambda", {
      ...common,
      // Sized from the CPU a row costs (stacks/config.ts, docs/ingestion.md): memory buys CPU, and the
      // largest object it is sent (the fan-out threshold) takes at most half the timeout.
      memorySize: config.ingestion.memorySize,
      timeout: config.ingestion.timeout,
      entry: "lambdas/upload-infos/index.ts",
      functionName: physicalName("upload-infos", environment),
      description: "Writes the movie infos of each CSV uploaded to the bucket into movie_infos",
      // S3 invokes it asynchronously: two retries within an hour, then the event waits in
      // upload-infos-<env>-failures for a replay (docs/operating.md, "The failure queue").
      asyncInvoke: { maximumRetryAttempts: 2, maximumEventAgeSeconds: 3600 },
    });
    uploadInfos.grantBucketRead(this.bucket, "MOVIE_INFOS_BUCKET");
    uploadInfos.grantTable(this.movieInfos, "MOVIE_INFOS_TABLE", ["dynamodb:BatchWriteItem"]);

    const uploadInfosBatch = new BundledFunction(this, "upload_movie_infos_batch_lambda", {
      ...common,
      memorySize: config.ingestion.memorySize,
      timeout: config.ingestion.timeout,
      entry: "lambdas/upload-infos-batch/index.ts",
      functionName: physicalName("upload-infos-batch", environment),
      description:
        "Writes one batch of rows of a large upload into movie_infos (the fan-out state machine's task)",
    });
    // The rows come in the event: it reads no object, only writes.
    uploadInfosBatch.grantTable(this.movieInfos, "MOVIE_INFOS_TABLE", ["dynamodb:BatchWriteItem"]);

    return { getMovie, updateRating, uploadInfos, uploadInfosBatch };
  }

  /**
   * The fan-out path (docs/ingestion.md): a Distributed Map over the uploaded object, batches of
   * `ingestion.batchSize` rows to upload-infos-batch, `ingestion.maxConcurrency` at a time; upload-infos
   * starts it for objects above `ingestion.fanOutThresholdBytes`.
   */
  private addFanOut(config: EnvironmentConfig): IngestionStateMachine {
    const { ingestion } = config;
    const machine = new IngestionStateMachine(this, "ingestion_state_machine", {
      name: physicalName("movie-infos-ingestion", config.environment),
      region: config.region,
      bucket: this.bucket,
      batchFunction: this.uploadInfosBatch,
      columns: CSV_COLUMNS,
      batchSize: ingestion.batchSize,
      maxConcurrency: ingestion.maxConcurrency,
      toleratedFailurePercentage: ingestion.toleratedFailurePercentage,
      logRetentionDays: config.logRetentionDays,
    });
    this.uploadInfos.grantStartExecution(machine, "INGESTION_STATE_MACHINE_ARN");
    this.uploadInfos.addEnvironment("FAN_OUT_THRESHOLD_BYTES", String(ingestion.fanOutThresholdBytes));
    return machine;
  }

  /**
   * The REST API: `/movies/{movieId}` with GET and PATCH, each allowed to invoke only its function. GET
   * is public; PATCH needs a token of the environment's user pool when `auth` is `cognito`.
   */
  private addApi(config: EnvironmentConfig): RestApi {
    const { environment, logRetentionDays, stageName, apiThrottling } = config;
    const api = new RestApi(this, "movies_api", {
      name: physicalName("movies_api", environment),
      description: "This is the API for the Movies project",
      stageName,
      throttling: apiThrottling,
      accessLogRetentionDays: logRetentionDays,
    });
    const movies = api.addResource("movies_resource", api.root, "movies");
    const movie = api.addResource("movie_resource", movies, "{movieId}");
    api.addLambdaRoute("get_movie_request", movie, "GET", this.getMovie);
    const authorizer = writeRoutesAuthorizer(this, api, config);
    api.addLambdaRoute("update_movie_rating_request", movie, "PATCH", this.updateRating, {
      requestModel: UPDATE_RATING_MODEL,
      ...(authorizer ? { authorizer } : {}),
    });

    return api;
  }

  private addOutputs(): void {
    new TerraformOutput(this, "movies_api_url", {
      description: "Base URL of the movies resource",
      value: `${this.api.invokeUrl}/movies`,
    });
    new TerraformOutput(this, "movie_infos_bucket_uri", {
      description: "Upload movie-infos CSV files here",
      value: this.bucket.bucketUri,
    });
    new TerraformOutput(this, "movie_infos_table_name", { value: this.movieInfos.tableName });
    new TerraformOutput(this, "movie_ratings_table_name", { value: this.movieRatings.tableName });
  }
}
