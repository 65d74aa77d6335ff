import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { declaredFunctions, type DeclaredFunction } from "../../local/functions";
import { LocalLambda } from "../../local/lambda-host";
import { TerraformResolver } from "../../local/terraform";
import { synthesized } from "../helpers/synth";

/**
 * A function process as Lambda runs one: its memory size applied (the V8 heap sized as Lambda's runtime
 * sizes it, the process killed past it), and its log attributed to each invocation.
 */

let dir: string;
let getMovie: DeclaredFunction;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "lambda-host-"));
  const resolver = new TerraformResolver(synthesized("movies-dev"), { region: "eu-central-1" });
  getMovie = declaredFunctions(resolver).find(
    (fn) => fn.functionName === "get-movie-dev",
  ) as DeclaredFunction;
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A function whose handler keeps allocating memory outside the V8 heap, 16 MiB at a time. */
function hog(memorySize: number): DeclaredFunction {
  const bundle = join(dir, "hog", "index.js");
  mkdirSync(join(dir, "hog"), { recursive: true });
  writeFileSync(
    bundle,
    `exports.handler = async () => {
      const kept = [];
      for (;;) {
        kept.push(Buffer.alloc(16 * 1024 * 1024, 1));
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    };`,
  );
  return { ...getMovie, functionName: "hog-dev", bundle, environment: {}, memorySize, timeoutSeconds: 30 };
}

describe("LocalLambda and memory_size", () => {
  it("kills a function that uses more than its memory size, as Lambda does: Runtime.OutOfMemory", async () => {
    const platform: string[] = [];
    const lambda = new LocalLambda(hog(128), {
      memorySize: 128,
      timeoutSeconds: 30,
      onPlatformLog: (line) => platform.push(line),
    });
    try {
      const outcome = await lambda.invoke({});
      expect(outcome).toMatchObject({
        ok: false,
        error: {
          name: "Runtime.OutOfMemory",
          message: `RequestId: ${outcome.requestId} Error: Runtime exited with error: signal: killed`,
        },
      });
      expect(platform.at(-1)).toMatch(/^REPORT RequestId: .*\tMemory Size: 128 MB/);
      // The next invocation gets a new container, which fails the same way.
      expect((await lambda.invoke({})).ok).toBe(false);
    } finally {
      await lambda.stop();
    }
  });

  it("starts a function's process with the V8 heap Lambda's Node.js runtime gives its memory size", async () => {
    const lambda = new LocalLambda(getMovie, {
      memorySize: 256,
      environment: {
        MOVIE_INFOS_TABLE: "t",
        MOVIE_RATINGS_TABLE: "t",
        AWS_ENDPOINT_URL: "http://127.0.0.1:9",
      },
    });
    try {
      await lambda.invoke({ pathParameters: { movieId: "bad id!" } });
      const pid = lambda.pid as number;
      const args = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
      expect(args).toEqual(expect.arrayContaining(["--max-semi-space-size=12", "--max-old-space-size=231"]));
      const environ = readFileSync(`/proc/${pid}/environ`, "utf8").split("\0");
      expect(environ).toContain("AWS_LAMBDA_FUNCTION_MEMORY_SIZE=256");
    } finally {
      await lambda.stop();
    }
  });
});

describe("LocalLambda's log", () => {
  it("attributes every line to its invocation, between its START and its END and REPORT lines", async () => {
    const lambda = new LocalLambda(getMovie, {
      environment: {
        MOVIE_INFOS_TABLE: "t",
        MOVIE_RATINGS_TABLE: "t",
        AWS_ENDPOINT_URL: "http://127.0.0.1:9",
      },
    });
    try {
      const cold = await lambda.invoke({ pathParameters: { movieId: "bad id!" } });
      const warm = await lambda.invoke({ pathParameters: { movieId: "also bad!" } });
      for (const [outcome, coldStart] of [
        [cold, true],
        [warm, false],
      ] as const) {
        expect(outcome.logs[0]).toBe(`START RequestId: ${outcome.requestId} Version: $LATEST`);
        expect(outcome.logs.slice(1, -2)).toEqual([
          expect.stringMatching(
            new RegExp(`"cold_start":${coldStart}.*"requestId":"${outcome.requestId}".*"statusCode":400`),
          ),
        ]);
        expect(outcome.logs.at(-2)).toBe(`END RequestId: ${outcome.requestId}`);
        expect(outcome.logs.at(-1)).toMatch(
          new RegExp(
            `^REPORT RequestId: ${outcome.requestId}\tDuration: \\d+\\.\\d\\d ms\tBilled Duration: \\d+ ms\t` +
              `Memory Size: 256 MB\tMax Memory Used: \\d+ MB${coldStart ? "\tInit Duration: \\d+\\.\\d\\d ms" : ""}$`,
          ),
        );
      }
    } finally {
      await lambda.stop();
    }
  });
});
