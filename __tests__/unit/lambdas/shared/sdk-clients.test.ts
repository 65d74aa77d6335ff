import { GetCommand } from "@aws-sdk/lib-dynamodb";
import { HeadObjectCommand } from "@aws-sdk/client-s3";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { createDocumentClient, createDynamoDbClient } from "../../../../lambdas/shared/dynamodb";
import { createS3Client } from "../../../../lambdas/shared/s3";
import { SDK_LOGGER_MIDDLEWARE } from "../../../../lambdas/shared/sdk-clients";
import { createSfnClient } from "../../../../lambdas/shared/sfn";
import { createSnsClient } from "../../../../lambdas/shared/sns";

let server: Server;
let endpoint: string;
const saved = { ...process.env };

beforeAll(async () => {
  // Answers every request at once: enough for a client to resolve its request handler's configuration.
  server = createServer((_req, res) => {
    res.writeHead(200, { "content-type": "application/x-amz-json-1.0" });
    res.end("{}");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  Object.assign(process.env, {
    AWS_REGION: "eu-west-1",
    AWS_ACCESS_KEY_ID: "test",
    AWS_SECRET_ACCESS_KEY: "test",
    AWS_ENDPOINT_URL_DYNAMODB: endpoint,
    AWS_ENDPOINT_URL_S3: endpoint,
  });
});

afterAll(async () => {
  process.env = saved;
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

/** The resolved options of a client's request handler (a NodeHttpHandler, which the SDK types loosely). */
function handlerOptions(client: { config: { requestHandler: unknown } }): Record<string, unknown> {
  const handler = client.config.requestHandler as { httpHandlerConfigs(): Record<string, unknown> };
  return handler.httpHandlerConfigs();
}

const EXPECTED = { connectionTimeout: 1_000, requestTimeout: 2_000, throwOnRequestTimeout: true };

describe("SDK clients of every function", () => {
  it("the DynamoDB document client connects within 1 s and fails an attempt with no response within 2 s", async () => {
    const ddb = createDocumentClient();
    await ddb.send(new GetCommand({ TableName: "t", Key: { movie_id: "mv1" } }));
    expect(handlerOptions(ddb)).toMatchObject(EXPECTED);
    ddb.destroy();
  });

  it("the S3 client has the same timeouts, and no socket idle timeout that would cut a paused body", async () => {
    const s3 = createS3Client();
    await s3.send(new HeadObjectCommand({ Bucket: "b", Key: "k" }));
    const config = handlerOptions(s3);
    expect(config).toMatchObject(EXPECTED);
    expect(config).toMatchObject({ socketTimeout: undefined });
    s3.destroy();
  });

  it("no client keeps the SDK's logger middleware, which copies every request for a logger that drops it", () => {
    /** The middlewares of a client's stack, by name (`identify` lists them as "<name> - <step>"). */
    const names = (client: { middlewareStack: { identify(): string[] } }) =>
      client.middlewareStack.identify().map((entry) => entry.split(" - ")[0]);
    // The name is the SDK's: were it renamed, removing it would silently do nothing, and this fails.
    expect(names(new DynamoDBClient({}))).toContain(SDK_LOGGER_MIDDLEWARE);
    const clients = {
      dynamodb: createDynamoDbClient(),
      document: createDocumentClient(),
      s3: createS3Client(),
      sfn: createSfnClient(),
      sns: createSnsClient(),
    };
    const withLogger = Object.entries(clients)
      .filter(([, client]) => names(client).includes(SDK_LOGGER_MIDDLEWARE))
      .map(([name]) => name);
    expect(withLogger).toEqual([]);
    for (const client of Object.values(clients)) client.destroy();
  });
});
