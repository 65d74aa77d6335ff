import { createHash, randomUUID } from "node:crypto";
import type { APIGatewayProxyEvent, S3Event, SQSEvent } from "aws-lambda";
import { declaredApis, matchRoute, type DeclaredApi } from "./api-routes";
import { declaredBuckets } from "./buckets";
import { toProxyEvent } from "./proxy-events";
import { declaredNotifications, notificationMatches, toS3EventRecord } from "./s3-notifications";
import type { TerraformResolver } from "./terraform";

/**
 * Sample events in AWS's shape for the resources of the synthesized stacks, like `sam local
 * generate-event`, but with this stack's real names: its bucket and notification, its API's routes, its
 * queues. Pure functions over resolvers; `local/event.ts` is the command.
 */

/** A mistake in what was asked for: the message names what exists instead. */
export class SampleEventError extends Error {
  override readonly name = "SampleEventError";
}

export interface S3PutOptions {
  /** @default the first bucket with a notification */
  readonly bucket?: string;
  /** @default the notification's prefix + `fileName` */
  readonly key?: string;
  /** The object's bytes: its size and ETag go into the record. */
  readonly body: Buffer;
  /** The name the key is made from when no key is given. */
  readonly fileName: string;
}

/** The `ObjectCreated:Put` event S3 sends to the bucket's notification for one object. */
export function s3PutEvent(resolvers: readonly TerraformResolver[], options: S3PutOptions): S3Event {
  const candidates = resolvers.flatMap((resolver) => {
    const { notifications } = declaredNotifications(resolver);
    return declaredBuckets(resolver).map((b) => ({
      bucket: b.name,
      region: resolver.region,
      notifications: notifications.filter((n) => n.bucket === b.name),
    }));
  });
  const chosen = options.bucket
    ? candidates.find((c) => c.bucket === options.bucket)
    : (candidates.find((c) => c.notifications.length > 0) ?? candidates[0]);
  if (!chosen) {
    const names = candidates.map((c) => c.bucket).join(", ") || "none";
    throw new SampleEventError(
      `No bucket ${options.bucket ?? "with a notification"}; the stacks' buckets: ${names}`,
    );
  }
  const first = chosen.notifications[0];
  const key = options.key ?? `${first?.filterPrefix ?? ""}${options.fileName}`;
  const notification =
    chosen.notifications.find((n) => notificationMatches(n, chosen.bucket, "ObjectCreated:Put", key)) ??
    first;
  const record = {
    eventName: "ObjectCreated:Put",
    eventTime: new Date().toISOString(),
    s3: {
      bucket: { name: chosen.bucket },
      object: {
        key,
        size: options.body.length,
        eTag: createHash("md5").update(options.body).digest("hex"),
        sequencer: Date.now().toString(16).toUpperCase(),
      },
    },
  };
  const context = notification ?? {
    id: "sample",
    bucket: chosen.bucket,
    functionName: "",
    events: [],
    address: "",
  };
  return { Records: [toS3EventRecord(record, { region: chosen.region, notification: context })] };
}

export interface ApiEventOptions {
  /** @default GET */
  readonly method?: string;
  /** Below the stage, as `event.path` (`/movies/mv1`), with an optional `?query`. */
  readonly path: string;
  readonly body?: string;
  /** Extra request headers, `Name: value`. */
  readonly headers?: readonly string[];
  /** @default the API's first stage */
  readonly stage?: string;
}

/** The REST API proxy event API Gateway sends the function of the route that `method path` matches. */
export function apiEvent(
  resolvers: readonly TerraformResolver[],
  options: ApiEventOptions,
): APIGatewayProxyEvent {
  const method = (options.method ?? "GET").toUpperCase();
  const [path = "/", query = ""] = options.path.split("?", 2);
  const apis = resolvers.flatMap((resolver) => declaredApis(resolver).map((api) => ({ api, resolver })));
  for (const { api, resolver } of apis) {
    const match = matchRoute(api, method, path.startsWith("/") ? path : `/${path}`);
    if (!match) continue;
    const stage = options.stage ? api.stages.find((s) => s.name === options.stage) : api.stages[0];
    if (!stage)
      throw new SampleEventError(`${api.name} has no stage ${options.stage}; its stages: ${stageNames(api)}`);
    return toProxyEvent(
      {
        method,
        path: path.startsWith("/") ? path : `/${path}`,
        query,
        headers: requestHeaders(api, resolver.region, options),
        body: Buffer.from(options.body ?? ""),
        sourceIp: "127.0.0.1",
      },
      match,
      { api, stage, accountId: resolver.accountId, requestId: randomUUID() },
    );
  }
  const routes = apis.flatMap(({ api }) => api.routes.map((r) => `${r.httpMethod} ${r.resourcePath}`));
  throw new SampleEventError(
    `No API route matches ${method} ${path}; the routes: ${routes.join(", ") || "none"}`,
  );
}

function stageNames(api: DeclaredApi): string {
  return api.stages.map((s) => s.name).join(", ");
}

function requestHeaders(api: DeclaredApi, region: string, options: ApiEventOptions): [string, string][] {
  const headers: [string, string][] = [
    ["Accept", "application/json"],
    ["Host", `${api.id}.execute-api.${region}.amazonaws.com`],
    ["User-Agent", "npm-run-event"],
  ];
  if (options.body) headers.push(["Content-Type", "application/json"]);
  for (const header of options.headers ?? []) {
    const at = header.indexOf(":");
    if (at <= 0) throw new SampleEventError(`--header ${JSON.stringify(header)} is not "Name: value"`);
    headers.push([header.slice(0, at).trim(), header.slice(at + 1).trim()]);
  }
  return headers;
}

export interface SqsEventOptions {
  /** @default the stacks' first queue */
  readonly queue?: string;
  /** @default "Hello from SQS!" */
  readonly body?: string;
}

/** The event Lambda's SQS event source mapping delivers for one message of the queue. */
export function sqsEvent(resolvers: readonly TerraformResolver[], options: SqsEventOptions): SQSEvent {
  const queues = resolvers.flatMap((resolver) =>
    resolver.resources("aws_sqs_queue").map(([name]) => ({
      name: resolver.attribute("aws_sqs_queue", name, "name"),
      arn: resolver.attribute("aws_sqs_queue", name, "arn"),
      region: resolver.region,
    })),
  );
  const queue = options.queue ? queues.find((q) => q.name === options.queue) : queues[0];
  if (!queue) {
    const names = queues.map((q) => q.name).join(", ") || "none";
    const wanted = options.queue ? `No queue ${options.queue}` : "No queue";
    throw new SampleEventError(`${wanted}; the stacks' queues: ${names}`);
  }
  const body = options.body ?? "Hello from SQS!";
  const now = String(Date.now());
  return {
    Records: [
      {
        messageId: randomUUID(),
        receiptHandle: Buffer.from(randomUUID()).toString("base64"),
        body,
        attributes: {
          ApproximateReceiveCount: "1",
          SentTimestamp: now,
          SenderId: "AIDAIENQZJOLO23YVJ4VO",
          ApproximateFirstReceiveTimestamp: now,
        },
        messageAttributes: {},
        md5OfBody: createHash("md5").update(body).digest("hex"),
        eventSource: "aws:sqs",
        eventSourceARN: queue.arn,
        awsRegion: queue.region,
      },
    ],
  };
}
