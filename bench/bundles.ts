import { execFileSync } from "node:child_process";
import { statSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { projectRoot } from "../tooling/project-root";
import { declaredFunctions, type DeclaredFunction } from "../local/functions";
import { readStack, TerraformResolver } from "../local/terraform";
import { REGION } from "./environment";
import { median, round } from "./stats";

/** The dev stacks whose functions the bench measures: every function of every service. */
const DEV_STACKS = ["movies-dev", "orders-dev", "notifications-dev"];

/** One function of the dev stacks: its zip, and its cold init. */
export interface BundleResult {
  /** The bundle's folder name (`upload-infos`). */
  readonly name: string;
  /** The function as the dev stack names it (`upload-infos-dev`). */
  readonly functionName: string;
  readonly zipKiB: number;
  /** Median wall time of `require(bundle)` in a fresh node process. */
  readonly initMs: number;
  /** Median CPU time (user + system) of the same: steadier than wall time on a busy machine. */
  readonly initCpuMs: number;
  /**
   * initCpuMs ÷ get-movie's, measured in the same run: what the bundle costs beyond the smallest one, on
   * any machine (absolute CPU times differ by a factor of two between the machines this ran on).
   */
  readonly initCpuVsGetMovie: number;
}

/** One cold init: the wall time and the CPU time (user + system) of `require(bundle)`, in ms. */
export interface ColdInit {
  readonly wallMs: number;
  readonly cpuMs: number;
}

/**
 * Requires `bundle` in a fresh node process with exactly `environment` (module scope runs: SDK clients,
 * logger, required variables), checks that it exports `handler`, and returns how long that took.
 */
export function coldInit(bundle: string, environment: Readonly<Record<string, string>>): ColdInit {
  const script = [
    "const cpu=process.cpuUsage(),t=process.hrtime.bigint();",
    `const m=require(${JSON.stringify(bundle)});`,
    "const wall=Number(process.hrtime.bigint()-t)/1e6,used=process.cpuUsage(cpu);",
    'if(typeof m.handler!=="function")throw new Error("no handler");',
    'process.stdout.write(wall+" "+(used.user+used.system)/1e3)',
  ].join("");
  const out = execFileSync(process.execPath, ["-e", script], {
    env: {
      PATH: process.env.PATH ?? "",
      ...environment,
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
    },
  });
  const [wallMs = NaN, cpuMs = NaN] = out.toString().split(" ").map(Number);
  return { wallMs, cpuMs };
}

/** Every function of the dev stacks, as synthesized into cdktf.out, sorted by bundle. */
export function devFunctions(): DeclaredFunction[] {
  return DEV_STACKS.flatMap((name) =>
    declaredFunctions(new TerraformResolver(readStack(join(projectRoot, "cdktf.out"), name))),
  ).sort((a, b) => a.bundle.localeCompare(b.bundle));
}

/** The bundle's folder name (`get-movie` for `dist/lambdas/get-movie/index.js`). */
export const bundleName = (fn: DeclaredFunction) => basename(dirname(fn.bundle));

/** The variables Lambda sets for `fn` (Powertools reads some at init), then those its stack declares. */
export function lambdaVariables(fn: DeclaredFunction): Record<string, string> {
  return {
    AWS_REGION: REGION,
    AWS_LAMBDA_FUNCTION_NAME: fn.functionName,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: "256",
    AWS_LAMBDA_FUNCTION_VERSION: "$LATEST",
    AWS_LAMBDA_INITIALIZATION_TYPE: "on-demand",
    AWS_EXECUTION_ENV: "AWS_Lambda_nodejs22.x",
    AWS_ACCESS_KEY_ID: "AKIDBENCH",
    AWS_SECRET_ACCESS_KEY: "bench",
    ...fn.environment,
  };
}

/** The bundle the others' cold init is compared with: the smallest (one DynamoDB client, the logger). */
const REFERENCE_BUNDLE = "get-movie";

/** Fresh node processes per function for the cold init figures. */
const INIT_RUNS = 15;

/**
 * Zip size and cold init of every function the dev stacks bundle: each bundle required in
 * {@link INIT_RUNS} fresh node processes with the variables Lambda sets, the functions taken in turn
 * (round-robin) so that load on the machine falls on all of them alike; medians of wall and CPU time.
 */
export function measureBundles(): BundleResult[] {
  const lambdasDir = join(projectRoot, "dist", "lambdas");
  const functions = devFunctions();
  const inits = functions.map(() => [] as ColdInit[]);
  for (let run = 0; run < INIT_RUNS; run++) {
    functions.forEach((fn, index) => inits[index]?.push(coldInit(fn.bundle, lambdaVariables(fn))));
  }
  const cpuMs = inits.map((runs) => median(runs.map((r) => r.cpuMs)));
  const reference = cpuMs[functions.findIndex((fn) => bundleName(fn) === REFERENCE_BUNDLE)];
  if (reference === undefined) throw new Error(`the dev stacks have no ${REFERENCE_BUNDLE} function`);
  return functions.map((fn, index) => {
    const name = bundleName(fn);
    const runs = inits[index] ?? [];
    return {
      name,
      functionName: fn.functionName,
      zipKiB: round(statSync(join(lambdasDir, `${name}.zip`)).size / 1024),
      initMs: round(median(runs.map((r) => r.wallMs))),
      initCpuMs: round(cpuMs[index] as number),
      initCpuVsGetMovie: round((cpuMs[index] as number) / reference, 2),
    };
  });
}
