import { createServer, type Server } from "node:http";
import { listenOnLoopback, relay } from "./proxy";
/** One request the proxy received: what it was, and whether it was left without an answer. */
export interface SeenRequest {
  readonly method: string;
  readonly url: string;
  /** DynamoDB's operation (`BatchWriteItem`), from `x-amz-target`; empty for S3. */
  readonly operation: string;
  readonly stuck: boolean;
}

export interface StuckProxy {
  /** `http://127.0.0.1:<port>`, for AWS_ENDPOINT_URL_DYNAMODB or AWS_ENDPOINT_URL_S3. */
  readonly endpoint: string;
  /** Every request, in arrival order. */
  readonly requests: SeenRequest[];
  /** Closes every connection, stuck ones included, and the server. */
  stop(): Promise<void>;
}

/**
 * An HTTP proxy on 127.0.0.1 in front of DynamoDB Local or the S3 server that leaves the requests
 * `isStuck` picks without an answer: the TCP connection is accepted and the request read, then nothing
 * comes back until `stop()`. The others are forwarded unchanged, Host header included, so S3's signature
 * still matches. `index` counts requests from 0.
 */
export async function startStuckProxy(
  target: string,
  isStuck: (request: Omit<SeenRequest, "stuck">, index: number) => boolean,
): Promise<StuckProxy> {
  const requests: SeenRequest[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const seen = {
        method: req.method ?? "GET",
        url: req.url ?? "/",
        operation:
          String(req.headers["x-amz-target"] ?? "")
            .split(".")
            .pop() ?? "",
      };
      const stuck = isStuck(seen, requests.length);
      requests.push({ ...seen, stuck });
      if (stuck) return;
      relay(target, { ...seen, headers: req.headers, body: Buffer.concat(chunks) }, res);
    });
  });
  return { ...(await listenOnLoopback(server)), requests };
}
