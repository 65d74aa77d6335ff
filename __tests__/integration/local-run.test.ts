import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { LOCALHOST } from "../../local/emulators";
import { moviesApp, type LocalEndpoints } from "../../local/endpoints";
import { startLocalRun, type LocalRun, type StackSource } from "../../local/local-run";
import {
  EXPECTED_MV1,
  localClients,
  request,
  runMoviesScenario,
  runOrdersScenario,
} from "../../local/scenario";
import type { TerraformJson } from "../../local/terraform";
import { synthesized } from "../helpers/synth";

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
    expect(JSON.parse(readFileSync(join(stateDir, "endpoints.json"), "utf8"))).toEqual(urls);
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

  it("refuses to start on an API port already in use, naming it", async () => {
    const busy: Server = createServer();
    await new Promise<void>((resolve) => busy.listen(0, LOCALHOST, resolve));
    const port = (busy.address() as { port: number }).port;
    try {
      await expect(
        startLocalRun({ stacks, stateDir: join(stateDir, "other"), apiPort: port }),
      ).rejects.toThrow(
        `Port ${port} on 127.0.0.1 is already in use; choose another port for the API (--port)`,
      );
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
