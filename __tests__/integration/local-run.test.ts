import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { DeleteItemCommand } from "@aws-sdk/client-dynamodb";
import {
  InvalidRequestContentException,
  InvokeCommand,
  LambdaClient,
  RequestTooLargeException,
  ResourceNotFoundException,
} from "@aws-sdk/client-lambda";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { LOCALHOST } from "../../local/emulators";
import { moviesApp, type LocalEndpoints } from "../../local/endpoints";
import { eventCommand } from "../../local/event";
import { functionLogPath } from "../../local/function-logs";
import { invokeCommand } from "../../local/invoke";
import { startLocalRun, type LocalRun, type StackSource } from "../../local/local-run";
import { logsCommand } from "../../local/logs";
import { apiEvent } from "../../local/sample-events";
import {
  EXPECTED_MV1,
  localClients,
  request,
  runMoviesScenario,
  runOrdersScenario,
  WORKSHOP_CSV,
} from "../../local/scenario";
import { seedCommand } from "../../local/seed";
import { TerraformResolver, type TerraformJson } from "../../local/terraform";
import { stackFile, synthesized } from "../helpers/synth";

/**
 * A second stack beside movies-dev, to see API Gateway's 502s: one route whose function cannot load its
 * handler (it throws at init, as a broken deploy would), one whose function returns something that is
 * not a proxy response (upload-infos' own result).
 */
function brokenStack(movies: TerraformJson): TerraformJson {
  const functions = movies.resource?.aws_lambda_function ?? {};
  const api = "${aws_api_gateway_rest_api.broken_api.id}";
  const root = "${aws_api_gateway_rest_api.broken_api.root_resource_id}";
  const route = (name: string) => ({
    resource: { rest_api_id: api, parent_id: root, path_part: name },
    method: { rest_api_id: api, resource_id: `\${aws_api_gateway_resource.${name}.id}`, http_method: "GET" },
    integration: {
      rest_api_id: api,
      resource_id: `\${aws_api_gateway_resource.${name}.id}`,
      http_method: "GET",
      type: "AWS_PROXY",
      uri: `\${aws_lambda_function.${name}.invoke_arn}`,
    },
  });
  const throws = route("throws");
  const malformed = route("malformed");
  return {
    resource: {
      aws_lambda_function: {
        throws: {
          ...functions.get_movie_lambda,
          function_name: "throws-dev",
          handler: "index.missing",
          environment: { variables: {} },
        },
        malformed: {
          ...functions.upload_movie_infos_lambda,
          function_name: "malformed-dev",
          environment: { variables: { MOVIE_INFOS_TABLE: "movie_infos-dev", MOVIE_INFOS_BUCKET: "none" } },
        },
      },
      aws_api_gateway_rest_api: { broken_api: { name: "broken-dev" } },
      aws_api_gateway_resource: { throws: throws.resource, malformed: malformed.resource },
      aws_api_gateway_method: { throws: throws.method, malformed: malformed.method },
      aws_api_gateway_integration: { throws: throws.integration, malformed: malformed.integration },
      aws_api_gateway_stage: { broken_stage: { rest_api_id: api, stage_name: "test" } },
    },
  };
}

let stacks: StackSource[];
let stateDir: string;
let run: LocalRun | undefined;
let logs: string[] = [];

async function start(fresh = false): Promise<LocalEndpoints> {
  logs = [];
  run = await startLocalRun({
    stacks,
    stateDir,
    fresh,
    apiPort: 0,
    s3Port: 0,
    dynamodbPort: 0,
    lambdaPort: 0,
    log: (line) => {
      logs.push(line);
      if (process.env.LOCAL_RUN_DEBUG) process.stderr.write(`${line}\n`);
    },
  });
  return run.urls;
}

async function stop(): Promise<void> {
  await run?.stop();
  run = undefined;
}

/** The synthesized stack's resolver, as the local run builds it. */
function resolverOf(stack: string): TerraformResolver {
  return new TerraformResolver(synthesized(stack), { region: "eu-central-1" });
}

/** How many invocations a log (a file's text, or what `npm run logs` printed) reports. */
function reports(log: string): number {
  return log.split("\n").filter((line) => /^\S+ REPORT RequestId: /.test(line)).length;
}

function fileText(path: string): string {
  return existsSync(path) ? readFileSync(path, "utf8") : "";
}

/** Polls `condition` until it holds (30 s at most). */
async function waitFor(condition: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${condition}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Waits until some log line matches, for what happens asynchronously (S3 notifications). */
async function logLine(pattern: RegExp, timeoutMs = 30_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const line = logs.find((l) => pattern.test(l));
    if (line) return line;
    if (Date.now() > deadline) throw new Error(`no log line matches ${pattern}:\n${logs.join("\n")}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(() => {
  const movies = synthesized("movies-dev");
  stacks = [
    { name: "movies-dev", json: movies },
    { name: "broken-dev", json: brokenStack(movies) },
  ];
  stateDir = mkdtempSync(join(tmpdir(), "local-run-"));
});

afterAll(async () => {
  await stop();
  rmSync(stateDir, { recursive: true, force: true });
});

describe("startLocalRun: the synthesized stacks served locally", () => {
  let urls: LocalEndpoints;

  beforeAll(async () => {
    urls = await start(true);
  }, 120_000);

  afterAll(stop, 30_000);

  it("serves every REST API of every stack at its stage URL, and writes endpoints.json", () => {
    expect(urls.apis.map((a) => [a.stack, a.name, a.stage, a.url])).toEqual([
      ["movies-dev", "movies_api-dev", "dev", expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/dev$/)],
      ["broken-dev", "broken-dev", "test", expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/test$/)],
    ]);
    expect(urls.apis[0]?.routes).toEqual([
      { method: "GET", path: "/movies/{movieId}", functionName: "get-movie-dev" },
      { method: "PATCH", path: "/movies/{movieId}", functionName: "update-rating-dev" },
    ]);
    expect(urls.s3.buckets.map((b) => b.name)).toEqual(["000000000000-movie-infos-dev"]);
    expect(urls.dynamodb.tables.map((t) => t.name)).toEqual(["movie_infos-dev", "movie_ratings-dev"]);
    expect(urls.lambda.functions.map((f) => f.name)).toEqual([
      "get-movie-dev",
      "update-rating-dev",
      "upload-infos-batch-dev",
      "upload-infos-dev",
      "malformed-dev",
      "throws-dev",
    ]);
    const written = JSON.parse(readFileSync(join(stateDir, "endpoints.json"), "utf8")) as LocalEndpoints;
    expect(written).toEqual(urls);
    // Only the two strings: no `$source` or other decoration the SDK adds to credentials it was given.
    expect(written.credentials).toEqual({ accessKeyId: "S3RVER", secretAccessKey: "S3RVER" });
  });

  it("runs the workshop's Test section over HTTP: upload, ingestion, PATCH, GET the merged movie", async () => {
    const steps: string[] = [];
    await runMoviesScenario(urls, { log: (line) => steps.push(line) });
    expect(steps).toHaveLength(5);

    // The upload invoked upload-infos through the bucket notification, and every layer logged.
    expect(
      await logLine(
        /^\[s3\] s3:\/\/000000000000-movie-infos-dev\/movie-infos\.csv ObjectCreated:Put → upload-infos-dev ok/,
      ),
    ).toBeTruthy();
    expect(logs).toContainEqual(
      expect.stringMatching(/^\[upload-infos-dev\] \{.*"message":"ingested movie infos".*"written":3/),
    );
    expect(logs).toContainEqual(
      expect.stringMatching(/^\[movies_api-dev\] PATCH \/dev\/movies\/mv1 200 \d+ ms$/),
    );
    expect(logs).toContainEqual(expect.stringMatching(/^\[get-movie-dev\] \{.*"statusCode":200/));
  });

  it("skips the Orders flow when no running stack has the Orders API", async () => {
    expect(await runOrdersScenario(urls)).toBe(false);
  });

  it("passes the function's headers and API Gateway's request id, and 404s from the function", async () => {
    const movies = moviesApp(urls)?.api.url as string;
    const response = await fetch(`${movies}/movies/mv9?verbose=1`);
    expect(response.status).toBe(404);
    expect(response.headers.get("content-type")).toBe("application/json");
    expect(response.headers.get("x-amzn-requestid")).toMatch(/^[0-9a-f-]{36}$/);
    expect(await response.json()).toEqual({ message: "Movie mv9 not found" });
  });

  it("answers unknown paths, methods and stages with API Gateway's 403", async () => {
    const origin = (moviesApp(urls)?.api.url as string).replace(/\/dev$/, "");
    for (const [method, path] of [
      ["GET", "/dev/nope"],
      ["GET", "/dev/movies"],
      ["DELETE", "/dev/movies/mv1"],
      ["GET", "/prod/movies/mv1"],
      ["GET", "/"],
    ] as const) {
      const got = await request(`${origin}${path}`, { method });
      expect({ method, path, status: got.status, body: got.body }).toEqual({
        method,
        path,
        status: 403,
        body: '{"message":"Missing Authentication Token"}',
      });
    }
  });

  it("answers 502 when the function throws or returns something that is not a proxy response", async () => {
    const broken = urls.apis.find((a) => a.stack === "broken-dev")?.url as string;
    for (const path of ["/throws", "/malformed"]) {
      const got = await request(`${broken}${path}`);
      expect({ path, status: got.status, body: got.body }).toEqual({
        path,
        status: 502,
        body: '{"message": "Internal server error"}',
      });
    }
    expect(logs).toContainEqual(
      expect.stringMatching(/^\[broken-dev\] throws-dev failed: Runtime\.InitError: .*MOVIE_INFOS_TABLE/),
    );
    expect(logs).toContainEqual(
      expect.stringMatching(
        /^\[broken-dev\] Malformed Lambda proxy response from malformed-dev: statusCode undefined/,
      ),
    );
  });

  it("ingests the good rows of a CSV with bad rows, and logs the bad ones", async () => {
    const { s3 } = localClients(urls);
    const bucket = urls.s3.buckets[0]?.name as string;
    const csv = readFileSync(join(__dirname, "..", "fixtures", "mixed-movie-infos.csv"));
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: "more/mixed movies.csv", Body: csv }));
    s3.destroy();

    const done = await logLine(
      /^\[s3\] s3:\/\/[^ ]+\/more\/mixed movies\.csv ObjectCreated:Put → upload-infos-dev/,
    );
    expect(done).toMatch(/ ok \d+ ms$/);
    const summary = await logLine(/^\[upload-infos-dev\] .*"key":"more\/mixed movies\.csv"/);
    expect(JSON.parse(summary.replace(/^\[upload-infos-dev\] /, ""))).toMatchObject({
      message: "ingested movie infos",
      written: 5,
      rejectedCount: 3,
    });
    const movies = moviesApp(urls)?.api.url as string;
    for (const id of ["mv10", "mv11", "mv12", "mv13", "mv17"]) {
      expect([id, (await request(`${movies}/movies/${id}`)).status]).toEqual([id, 200]);
    }
    for (const id of ["mv14", "mv15", "mv16"]) {
      expect([id, (await request(`${movies}/movies/${id}`)).status]).toEqual([id, 404]);
    }
    expect((await request(`${movies}/movies/mv12`)).json).toMatchObject({ name: "Amélie" });
  });

  it("does not invoke the function for objects the notification filters out", async () => {
    const { s3 } = localClients(urls);
    await s3.send(new PutObjectCommand({ Bucket: urls.s3.buckets[0]?.name, Key: "notes.txt", Body: "x" }));
    s3.destroy();
    await new Promise((r) => setTimeout(r, 500));
    expect(logs.filter((l) => l.includes("notes.txt"))).toEqual([]);
  });

  describe("the Lambda endpoint, as the AWS SDK's Lambda client sees it", () => {
    let lambda: LambdaClient;
    const payload = (response: { Payload?: Uint8Array }) =>
      JSON.parse(Buffer.from(response.Payload ?? []).toString("utf8")) as Record<string, unknown>;

    beforeAll(() => {
      lambda = new LambdaClient({
        endpoint: urls.lambda.endpoint,
        region: urls.region,
        credentials: { ...urls.credentials },
        maxAttempts: 1,
      });
    });
    afterAll(() => lambda.destroy());

    it("invokes a function by its deployed name, alias or ARN (RequestResponse), with its log tail", async () => {
      const event = apiEvent([resolverOf("movies-dev")], { path: "/movies/mv9" });
      for (const [FunctionName, Qualifier] of [
        ["get-movie-dev", undefined],
        ["get-movie-dev", "live"],
        ["arn:aws:lambda:eu-central-1:000000000000:function:get-movie-dev", undefined],
        ["000000000000:function:get-movie-dev:$LATEST", undefined],
      ] as const) {
        const response = await lambda.send(
          new InvokeCommand({ FunctionName, Qualifier, LogType: "Tail", Payload: JSON.stringify(event) }),
        );
        expect({ FunctionName, status: response.StatusCode, error: response.FunctionError }).toEqual({
          FunctionName,
          status: 200,
          error: undefined,
        });
        expect(response.ExecutedVersion).toBe(Qualifier === "live" ? "1" : "$LATEST");
        expect(payload(response)).toMatchObject({
          statusCode: 404,
          body: '{"message":"Movie mv9 not found"}',
        });
        const tail = Buffer.from(response.LogResult ?? "", "base64")
          .toString("utf8")
          .trim()
          .split("\n");
        expect(tail[0]).toMatch(/^START RequestId: [0-9a-f-]{36} Version: \$LATEST$/);
        expect(tail).toContainEqual(
          expect.stringMatching(/"statusCode":404.*"reason":"Movie mv9 not found"/),
        );
        expect(tail.at(-2)).toMatch(/^END RequestId: /);
        expect(tail.at(-1)).toMatch(/^REPORT RequestId: .*\tMemory Size: 256 MB\tMax Memory Used: \d+ MB/);
      }
    });

    it("answers a function's error as Lambda does: 200, FunctionError Unhandled, the error as payload", async () => {
      // A record without `s3`: the handler throws reading it.
      const thrown = await lambda.send(
        new InvokeCommand({ FunctionName: "upload-infos-dev", Payload: '{"Records":[{}]}' }),
      );
      expect(thrown.StatusCode).toBe(200);
      expect(thrown.FunctionError).toBe("Unhandled");
      expect(payload(thrown)).toMatchObject({ errorType: "TypeError", trace: expect.any(Array) });

      const failedInit = await lambda.send(new InvokeCommand({ FunctionName: "throws-dev" }));
      expect(failedInit.FunctionError).toBe("Unhandled");
      expect(payload(failedInit)).toMatchObject({
        errorType: "Runtime.InitError",
        errorMessage: expect.stringContaining("MOVIE_INFOS_TABLE"),
      });
    });

    it("rejects what Lambda rejects, with its exceptions", async () => {
      const invoke = (input: ConstructorParameters<typeof InvokeCommand>[0]) =>
        lambda.send(new InvokeCommand(input));
      await expect(invoke({ FunctionName: "nope-dev" })).rejects.toThrow(
        expect.objectContaining({
          name: "ResourceNotFoundException",
          message: "Function not found: arn:aws:lambda:eu-central-1:000000000000:function:nope-dev",
          $metadata: expect.objectContaining({ httpStatusCode: 404 }),
        }),
      );
      await expect(invoke({ FunctionName: "get-movie-dev", Qualifier: "blue" })).rejects.toBeInstanceOf(
        ResourceNotFoundException,
      );
      await expect(invoke({ FunctionName: "get-movie-dev", Payload: "{not json" })).rejects.toBeInstanceOf(
        InvalidRequestContentException,
      );
      const sevenMegabytes = JSON.stringify({ blob: "x".repeat(7 * 1024 * 1024) });
      await expect(invoke({ FunctionName: "get-movie-dev", Payload: sevenMegabytes })).rejects.toBeInstanceOf(
        RequestTooLargeException,
      );
      const dryRun = await invoke({ FunctionName: "get-movie-dev", InvocationType: "DryRun" });
      expect(dryRun.StatusCode).toBe(204);
    });

    it("accepts an Event invocation with 202 and runs it in the background", async () => {
      const logFile = functionLogPath(stateDir, "get-movie-dev");
      const reportsBefore = reports(fileText(logFile));
      const event = apiEvent([resolverOf("movies-dev")], { path: "/movies/mv1" });
      const response = await lambda.send(
        new InvokeCommand({
          FunctionName: "get-movie-dev",
          InvocationType: "Event",
          Payload: JSON.stringify(event),
        }),
      );
      expect(response.StatusCode).toBe(202);
      expect(response.Payload?.length ?? 0).toBe(0);
      await waitFor(() => reports(fileText(logFile)) > reportsBefore);
    });
  });

  it("writes each function's log to <stateDir>/logs/<function>.log; npm run logs prints it and follows it", async () => {
    const logFile = functionLogPath(stateDir, "get-movie-dev");
    const lines = readFileSync(logFile, "utf8").trim().split("\n");
    const stamp = "\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z";
    expect(lines[0]).toMatch(new RegExp(`^${stamp} START RequestId: `));
    expect(lines).toContainEqual(
      expect.stringMatching(new RegExp(`^${stamp} \\{"level":"INFO".*"request completed"`)),
    );
    expect(lines.at(-1)).toMatch(new RegExp(`^${stamp} REPORT RequestId: `));

    const printed: Buffer[] = [];
    const write = (chunk: Buffer) => printed.push(chunk);
    expect(await logsCommand(["get-movie-dev", "--state-dir", stateDir], { write })).toBe(0);
    expect(Buffer.concat(printed).toString("utf8")).toBe(readFileSync(logFile, "utf8"));

    printed.length = 0;
    const following = new AbortController();
    const followed = logsCommand(["get-movie-dev", "--follow", "--state-dir", stateDir], {
      write,
      signal: following.signal,
    });
    await waitFor(() => printed.length > 0);
    const before = Buffer.concat(printed).toString("utf8");
    await request(`${moviesApp(urls)?.api.url}/movies/mv1`);
    await waitFor(() => reports(Buffer.concat(printed).toString("utf8")) > reports(before));
    following.abort();
    expect(await followed).toBe(0);
    await expect(logsCommand(["nope-dev", "--state-dir", stateDir])).rejects.toThrow(
      "No function nope-dev in the running local run; its functions: " +
        "get-movie-dev, update-rating-dev, upload-infos-batch-dev, upload-infos-dev, malformed-dev, throws-dev",
    );
  });

  it("answers a body over API Gateway's 10 MB with its 413, without invoking the function or holding the body", async () => {
    const movie = `${moviesApp(urls)?.api.url}/movies/mv1`;
    const rssBefore = process.memoryUsage().rss;
    // 256 MB streamed in 1 MiB chunks: the server must drop what is past the limit, not keep it.
    const chunk = Buffer.alloc(1024 * 1024, 0x20);
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent++ === 256) controller.close();
        else controller.enqueue(chunk);
      },
    });
    const tooLarge = await fetch(movie, { method: "PATCH", body, duplex: "half" } as RequestInit);
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.headers.get("content-type")).toBe("application/json");
    expect(await tooLarge.text()).toBe('{"message":"Request Too Long"}');
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(128 * 1024 * 1024);
    expect(logs).toContainEqual(
      expect.stringMatching(/^\[movies_api-dev\] PATCH \/dev\/movies\/mv1 413 \d+ ms$/),
    );

    // 10 MB is still within the quota: a body the model accepts (JSON padded with whitespace) reaches the
    // function, which has a smaller limit of its own.
    const json = Buffer.from('{"imdb_rating": 43}');
    const atLimit = await request(movie, {
      method: "PATCH",
      headers: { "content-type": "application/json" },
      body: Buffer.concat([json, Buffer.alloc(10 * 1024 * 1024 - json.length, 0x20)]),
    });
    expect({ status: atLimit.status, json: atLimit.json }).toEqual({
      status: 413,
      json: { message: "Request body must not exceed 65536 bytes" },
    });
  });

  it("npm run seed uploads the sample CSV through the bucket and waits for upload-infos; a second seed does nothing", async () => {
    const app = moviesApp(urls);
    const { ddb } = localClients(urls);
    for (const id of ["mv1", "mv2", "mv3"]) {
      await ddb.send(
        new DeleteItemCommand({ TableName: app?.infosTable?.name, Key: { movie_id: { S: id } } }),
      );
    }
    ddb.destroy();
    const said: string[] = [];
    expect(await seedCommand(["--state-dir", stateDir], (line) => said.push(line))).toBe(0);
    expect(said).toEqual([
      expect.stringMatching(
        /^Seeded 3 movies into movie_infos-dev: s3:\/\/000000000000-movie-infos-dev\/movie-infos\.csv → upload-infos-dev in \d+\.\d s$/,
      ),
    ]);
    expect((await request(`${app?.api.url}/movies/mv2`)).json).toMatchObject({
      name: "The Dark Knight Rises",
    });
    expect(await seedCommand(["--state-dir", stateDir], (line) => said.push(line))).toBe(0);
    expect(said[1]).toBe(
      "Already seeded: movie_infos-dev holds the 3 movies of movie-infos.csv (nothing uploaded; --force uploads anyway)",
    );
  });

  it("npm run event prints this stack's events; npm run invoke runs one through the running run", async () => {
    const outdir = dirname(dirname(dirname(stackFile("movies-dev", "cdk.tf.json"))));
    const printed: string[] = [];
    const event = async (...args: string[]) => {
      printed.length = 0;
      expect(
        await eventCommand(
          [...args, "--stack", "movies-dev", "--outdir", outdir],
          (t) => void printed.push(t),
        ),
      ).toBe(0);
      return JSON.parse(printed.join("")) as Record<string, never>;
    };
    const s3Put = await event("s3-put");
    expect(s3Put).toMatchObject({
      Records: [
        {
          eventSource: "aws:s3",
          eventName: "ObjectCreated:Put",
          awsRegion: "eu-central-1",
          s3: {
            configurationId: "upload_movie_infos_lambda_on_object_created",
            bucket: {
              name: "000000000000-movie-infos-dev",
              arn: "arn:aws:s3:::000000000000-movie-infos-dev",
            },
            object: { key: "movie-infos.csv", size: readFileSync(WORKSHOP_CSV).length },
          },
        },
      ],
    });
    expect(await event("sqs")).toMatchObject({
      Records: [
        {
          eventSourceARN: "arn:aws:sqs:eu-central-1:000000000000:upload-infos-dev-failures",
          body: "Hello from SQS!",
        },
      ],
    });
    const api = await event("api", "--method", "PATCH", "--path", "/movies/mv1", "--body", "{}");
    expect(api).toMatchObject({
      resource: "/movies/{movieId}",
      pathParameters: { movieId: "mv1" },
      body: "{}",
    });
    await expect(event("api", "--path", "/nope")).rejects.toThrow(
      "No API route matches GET /nope; the routes: GET /movies/{movieId}, PATCH /movies/{movieId}",
    );

    const eventFile = join(stateDir, "s3-put.json");
    writeFileSync(eventFile, JSON.stringify(s3Put));
    const out = jest.spyOn(console, "log").mockImplementation(() => undefined);
    const err = jest.spyOn(console, "error").mockImplementation(() => undefined);
    try {
      expect(await invokeCommand(["upload-infos-dev", "--event", eventFile, "--state-dir", stateDir])).toBe(
        0,
      );
      expect(JSON.parse(out.mock.calls.map((c) => String(c[0])).join("\n"))).toMatchObject({
        objects: [
          { bucket: "000000000000-movie-infos-dev", key: "movie-infos.csv", written: 3, rejected: 0 },
        ],
      });
      const logLines = err.mock.calls.map((c) => String(c[0]));
      expect(logLines[0]).toMatch(/^START RequestId: /);
      expect(logLines).toContainEqual(expect.stringMatching(/"message":"ingested movie infos"/));
      out.mockClear();
      const badEvent = join(stateDir, "bad-event.json");
      writeFileSync(badEvent, '{"Records":[{}]}');
      expect(await invokeCommand(["upload-infos-dev", "--event", badEvent, "--state-dir", stateDir])).toBe(1);
      expect(JSON.parse(out.mock.calls.map((c) => String(c[0])).join("\n"))).toMatchObject({
        errorType: "TypeError",
      });
      await expect(invokeCommand(["nope-dev", "--state-dir", stateDir])).rejects.toThrow(
        /^Function not found: .*nope-dev; the running functions: get-movie-dev, update-rating-dev/,
      );
    } finally {
      out.mockRestore();
      err.mockRestore();
    }
  });

  it("refuses to start on an API port already in use, naming it, and leaves the state directory as it was", async () => {
    const busy: Server = createServer();
    await new Promise<void>((resolve) => busy.listen(0, LOCALHOST, resolve));
    const port = (busy.address() as { port: number }).port;
    try {
      const other = join(stateDir, "other");
      mkdirSync(other);
      writeFileSync(join(other, "kept"), "data of another run");
      await expect(startLocalRun({ stacks, stateDir: other, apiPort: port, fresh: true })).rejects.toThrow(
        `Port ${port} on 127.0.0.1 is already in use; choose another port for the API (--port)`,
      );
      expect(readdirSync(other)).toEqual(["kept"]);
    } finally {
      busy.close();
    }
  });
});

describe("startLocalRun: local data across restarts", () => {
  afterEach(stop, 30_000);

  it("keeps the tables and objects when restarted on the same state directory", async () => {
    const urls = await start(false);
    const movie = `${moviesApp(urls)?.api.url}/movies/mv1`;
    const got = await request(movie);
    expect(got.status).toBe(200);
    expect(got.json).toEqual(EXPECTED_MV1);
    expect(existsSync(join(stateDir, "s3", "000000000000-movie-infos-dev"))).toBe(true);
    await stop();
    expect(existsSync(join(stateDir, "endpoints.json"))).toBe(false);
  }, 120_000);

  it("drops everything with fresh", async () => {
    const urls = await start(true);
    const got = await request(`${moviesApp(urls)?.api.url}/movies/mv1`);
    expect(got.status).toBe(404);
  }, 120_000);
});
