import { execFileSync } from "node:child_process";
import { statSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { projectRoot } from "../tooling/project-root";
import { declaredFunctions, type DeclaredFunction } from "../local/functions";
import { readStack, TerraformResolver } from "../local/terraform";
import { median, round } from "./stats";

/** The dev stacks whose functions the bench measures: every function of every service. */
const DEV_STACKS = ["movies-dev", "orders-dev"];

export interface BundleResult {
  readonly name: string;
  readonly zipKiB: number;
  /** Median wall time of `require(bundle)` in a fresh node process. */
  readonly initMs: number;
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

/**
 * Zip size, and cold init (median of 10 fresh node processes) of every dev function's bundle, each
 * initialised with the environment its stack declares on top of `variables`.
 */
export function measureBundles(variables: Readonly<Record<string, string>>): BundleResult[] {
  const lambdasDir = join(projectRoot, "dist", "lambdas");
  return devFunctions().map((fn) => {
    const name = bundleName(fn);
    const inits: number[] = [];
    for (let i = 0; i < 10; i++) inits.push(coldInit(fn.bundle, { ...variables, ...fn.environment }).wallMs);
    return {
      name,
      zipKiB: round(statSync(join(lambdasDir, `${name}.zip`)).size / 1024),
      initMs: round(median(inits)),
    };
  });
}
