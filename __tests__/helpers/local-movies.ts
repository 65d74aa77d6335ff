import { HeadObjectCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import {
  BatchWriteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  ScanCommand,
} from "@aws-sdk/lib-dynamodb";
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from "aws-lambda";
import type { InvokeOutcome, LocalLambda } from "../../local/lambda-host";
import { apiGatewayProxyEvent, s3Event, s3EventRecord } from "./events";
import type { LocalAws } from "./local-aws";

/** Terraform addresses of the Movies functions. */
export const UPLOAD_INFOS = "aws_lambda_function.upload_movie_infos_lambda";
export const UPLOAD_INFOS_BATCH = "aws_lambda_function.upload_movie_infos_batch_lambda";
export const GET_MOVIE = "aws_lambda_function.get_movie_lambda";
export const UPDATE_RATING = "aws_lambda_function.update_movie_rating_lambda";

type Item = Record<string, unknown>;

/** The upload summary log line of one object: what was written and which lines were rejected, why. */
export interface UploadSummary {
  readonly lines: number;
  readonly written: number;
  readonly superseded: number;
  readonly skipped: number;
  readonly rejectedCount: number;
  readonly rejected: { line: number; reason: string }[];
}

/** The tables, bucket and functions of the local Movies stack, with the reads tests need. */
export class LocalMovies {
  readonly ddb: DynamoDBDocumentClient;
  readonly infosTable: string;
  readonly ratingsTable: string;
  readonly bucket: string;

  constructor(readonly local: LocalAws) {
    this.ddb = DynamoDBDocumentClient.from(local.ddbClient);
    const name = (address: string) => local.resolver.reference(`${address}.name`);
    this.infosTable = name("aws_dynamodb_table.movie_infos_table");
    this.ratingsTable = name("aws_dynamodb_table.movie_ratings_table");
    this.bucket = local.resolver.reference("aws_s3_bucket.movie_infos_bucket.bucket");
  }

  /** Every item of `table`, sorted by movie_id. */
  async scan(table: string): Promise<Item[]> {
    const items: Item[] = [];
    let start: Item | undefined;
    do {
      const page = await this.ddb.send(new ScanCommand({ TableName: table, ExclusiveStartKey: start }));
      items.push(...(page.Items ?? []));
      start = page.LastEvaluatedKey;
    } while (start);
    return items.sort((a, b) => String(a.movie_id).localeCompare(String(b.movie_id)));
  }

  async get(table: string, movieId: string): Promise<Item | undefined> {
    return (await this.ddb.send(new GetCommand({ TableName: table, Key: { movie_id: movieId } }))).Item;
  }

  async put(table: string, item: Item): Promise<void> {
    await this.ddb.send(new PutCommand({ TableName: table, Item: item }));
  }

  /** Deletes every item of `table`. */
  async clear(table: string): Promise<void> {
    const items = await this.scan(table);
    for (let i = 0; i < items.length; i += 25) {
      const keys = items
        .slice(i, i + 25)
        .map((item) => ({ DeleteRequest: { Key: { movie_id: item.movie_id } } }));
      await this.ddb.send(new BatchWriteCommand({ RequestItems: { [table]: keys } }));
    }
  }

  /**
   * Stores `body` under `key` (decoded) and invokes upload-infos with the ObjectCreated event S3 would
   * send (key URL-encoded). Returns the outcome and the summary line the function logged for the key.
   */
  async upload(
    key: string,
    body: string | Buffer,
    lambda: LocalLambda = this.local.lambda(UPLOAD_INFOS),
  ): Promise<{ outcome: InvokeOutcome; summary: UploadSummary | undefined }> {
    await this.local.s3Client.send(
      new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: Buffer.from(body) }),
    );
    await this.local.s3Client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
    const before = this.local.logs(UPLOAD_INFOS).length;
    const outcome = await lambda.invoke(s3Event(s3EventRecord(this.bucket, s3EventKey(key))));
    const summary = this.local
      .logs(UPLOAD_INFOS)
      .slice(before)
      .map((line) => JSON.parse(line) as Item)
      .find((line) => line.message === "ingested movie infos" && line.key === key);
    return { outcome, summary: summary as UploadSummary | undefined };
  }

  /** Invokes `address` with an API Gateway REST proxy event for `/movies/{movieId}`. */
  async api(
    address: string,
    movieId: string | null,
    overrides: Partial<APIGatewayProxyEvent> = {},
  ): Promise<APIGatewayProxyResult> {
    const httpMethod = address === GET_MOVIE ? "GET" : "PATCH";
    return this.local.lambda(address).invokeOrThrow<APIGatewayProxyResult>(
      apiGatewayProxyEvent({
        httpMethod,
        path: `/movies/${movieId ?? ""}`,
        pathParameters: movieId === null ? null : { movieId },
        ...overrides,
      }),
    );
  }
}

/** A key as S3 puts it in event notifications: URL-encoded, "+" for a space, "/" kept. */
export function s3EventKey(key: string): string {
  return encodeURIComponent(key).replace(/%20/g, "+").replace(/%2F/g, "/");
}
