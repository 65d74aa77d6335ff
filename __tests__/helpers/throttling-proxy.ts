import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import { forward, listenOnLoopback } from "./proxy";
/**
 * What the proxy does with one BatchWriteItem call:
 * - `pass`: forward it unchanged;
 * - `unprocess-half`: forward the first half of each table's requests, return the rest as UnprocessedItems
 *   (what DynamoDB does when a partition is hot);
 * - `unprocess-all`: forward nothing, return every request as UnprocessedItems;
 * - `throttle`: forward nothing, answer 400 ProvisionedThroughputExceededException;
 * - `refuse`: forward nothing, answer 400 ValidationException (as DynamoDB does for an item it refuses).
 */
export type BatchWriteFault = "pass" | "unprocess-half" | "unprocess-all" | "throttle" | "refuse";

/** The message of the `refuse` fault's ValidationException. */
export const REFUSED_MESSAGE = "One or more parameter values were invalid: refused by the test proxy";

export interface ThrottlingProxy {
  /** `http://127.0.0.1:<port>`, for AWS_ENDPOINT_URL_DYNAMODB. */
  readonly endpoint: string;
  /** Every BatchWriteItem call seen, in order, with the fault applied and the number of put requests. */
  readonly batchWrites: { readonly fault: BatchWriteFault; readonly requests: number }[];
  stop(): Promise<void>;
}

type WriteRequests = Record<string, unknown[]>;

/**
 * An HTTP proxy in front of DynamoDB Local that throttles BatchWriteItem calls as `faultFor` decides
 * (`call` counts BatchWriteItem calls from 1; `movieIds` are the ids of the call's put requests). Every
 * other operation passes through untouched. A function reaches it through AWS_ENDPOINT_URL_DYNAMODB, so its
 * bundle runs unchanged.
 */
export async function startThrottlingProxy(
  target: string,
  faultFor: (call: number, movieIds: readonly string[]) => BatchWriteFault,
): Promise<ThrottlingProxy> {
  const batchWrites: { fault: BatchWriteFault; requests: number }[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      const operation = String(req.headers["x-amz-target"] ?? "")
        .split(".")
        .pop();
      const reply = (status: number, headers: IncomingHttpHeaders, payload: Buffer) => {
        res.writeHead(status, headers);
        res.end(payload);
      };
      if (operation !== "BatchWriteItem") {
        forward(target, req.method ?? "POST", req.url ?? "/", req.headers, body).then(
          ({ status, headers, payload }) => reply(status, headers, payload),
          () => reply(502, {}, Buffer.alloc(0)),
        );
        return;
      }
      const input = JSON.parse(body.toString("utf8")) as { RequestItems: WriteRequests };
      const movieIds = Object.values(input.RequestItems)
        .flat()
        .map((request) => {
          const item = (request as { PutRequest?: { Item?: { movie_id?: { S?: string } } } }).PutRequest
            ?.Item;
          return item?.movie_id?.S ?? "";
        });
      const fault = faultFor(batchWrites.length + 1, movieIds);
      const requests = movieIds.length;
      batchWrites.push({ fault, requests });
      if (fault === "refuse") {
        const error = { __type: "com.amazon.coral.validate#ValidationException", message: REFUSED_MESSAGE };
        reply(400, { "content-type": "application/x-amz-json-1.0" }, Buffer.from(JSON.stringify(error)));
        return;
      }
      if (fault === "throttle") {
        const error = {
          __type: "com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException",
          message: "The level of configured provisioned throughput for the table was exceeded.",
        };
        reply(400, { "content-type": "application/x-amz-json-1.0" }, Buffer.from(JSON.stringify(error)));
        return;
      }
      if (fault === "pass") {
        forward(target, req.method ?? "POST", req.url ?? "/", req.headers, body).then(
          ({ status, headers, payload }) => reply(status, headers, payload),
          () => reply(502, {}, Buffer.alloc(0)),
        );
        return;
      }
      const forwarded: WriteRequests = {};
      const unprocessed: WriteRequests = {};
      for (const [table, list] of Object.entries(input.RequestItems)) {
        const keep = fault === "unprocess-all" ? 0 : Math.ceil(list.length / 2);
        if (keep > 0) forwarded[table] = list.slice(0, keep);
        if (keep < list.length) unprocessed[table] = list.slice(keep);
      }
      const done =
        Object.keys(forwarded).length === 0
          ? Promise.resolve({ UnprocessedItems: {} as WriteRequests })
          : forward(
              target,
              req.method ?? "POST",
              req.url ?? "/",
              req.headers,
              Buffer.from(JSON.stringify({ ...input, RequestItems: forwarded })),
            ).then(({ status, payload }) => {
              if (status !== 200) throw new Error(`DynamoDB Local answered ${status}: ${payload.toString()}`);
              return JSON.parse(payload.toString("utf8")) as { UnprocessedItems?: WriteRequests };
            });
      done.then(
        (output) => {
          const merged: WriteRequests = { ...output.UnprocessedItems };
          for (const [table, list] of Object.entries(unprocessed)) {
            merged[table] = [...(merged[table] ?? []), ...list];
          }
          // No x-amz-crc32: the body changed, and the SDK only checks the checksum when it is sent.
          reply(
            200,
            { "content-type": "application/x-amz-json-1.0" },
            Buffer.from(JSON.stringify({ UnprocessedItems: merged })),
          );
        },
        () => reply(502, {}, Buffer.alloc(0)),
      );
    });
  });
  return { ...(await listenOnLoopback(server)), batchWrites };
}
