import { existsSync } from "node:fs";
import { basename, join } from "node:path";
import { projectRoot } from "../tooling/project-root";
import type { TerraformResolver } from "./terraform";

/** A Lambda function as the stack declares it, mapped to its local bundle. */
export interface DeclaredFunction {
  /** Terraform address (`aws_lambda_function.get_movie_lambda`). */
  readonly address: string;
  readonly functionName: string;
  /** `arn:aws:lambda:<region>:<account>:function:<name>`, as the local run resolves it. */
  readonly arn: string;
  readonly handler: string;
  readonly runtime: string;
  /** The bundle `npm run build` wrote for it (`dist/lambdas/get-movie/index.js`). */
  readonly bundle: string;
  /** Its environment variables, references resolved to local names. */
  readonly environment: Readonly<Record<string, string>>;
  /** `memory_size` in MB (Lambda's default, 128, when the stack sets none). */
  readonly memorySize: number;
  /** `timeout` in seconds (Lambda's default, 3, when the stack sets none). */
  readonly timeoutSeconds: number;
  /** The names of its `aws_lambda_alias`es (`live`), which callers may use as a qualifier. */
  readonly aliases: readonly string[];
}

/**
 * Every `aws_lambda_function` of the stack. The deployed zip is `assets/.../<name>.zip`; the same code
 * sits unzipped in `dist/lambdas/<name>/`, which is what runs locally.
 */
export function declaredFunctions(resolver: TerraformResolver, root = projectRoot): DeclaredFunction[] {
  return resolver.resources("aws_lambda_function").map(([name, config]) => {
    const zip = String(config.filename ?? "");
    const bundleName = basename(zip, ".zip");
    const bundle = join(root, "dist", "lambdas", bundleName, "index.js");
    if (!existsSync(bundle)) {
      throw new Error(`aws_lambda_function.${name}: no local bundle at ${bundle}; run \`npm run build\``);
    }
    const variables =
      (config.environment as { variables?: Record<string, string> } | undefined)?.variables ?? {};
    const functionName = resolver.attribute("aws_lambda_function", name, "function_name");
    return {
      address: `aws_lambda_function.${name}`,
      functionName,
      arn: resolver.attribute("aws_lambda_function", name, "arn"),
      handler: String(config.handler ?? "index.handler"),
      runtime: String(config.runtime ?? ""),
      bundle,
      environment: resolver.resolve(variables) as Record<string, string>,
      memorySize: Number(config.memory_size ?? 128),
      timeoutSeconds: Number(config.timeout ?? 3),
      aliases: aliasesOf(resolver, functionName),
    };
  });
}

/** The names of the `aws_lambda_alias`es whose `function_name` is this function (by name or ARN). */
function aliasesOf(resolver: TerraformResolver, functionName: string): string[] {
  return resolver
    .resources("aws_lambda_alias")
    .filter(([name]) => {
      const target = resolver.attribute("aws_lambda_alias", name, "function_name");
      return target === functionName || functionNameOfArn(target) === functionName;
    })
    .map(([name]) => resolver.attribute("aws_lambda_alias", name, "name"));
}

/**
 * The name of the function a Lambda ARN (or an integration's invoke ARN) names:
 * `arn:aws:apigateway:…/functions/arn:aws:lambda:…:function:get-movie-dev:live/invocations` → `get-movie-dev`.
 */
export function functionNameOfArn(arn: string): string | undefined {
  const match = /arn:aws[a-z-]*:lambda:[^:]*:[^:]*:function:([A-Za-z0-9_-]+)/.exec(arn);
  return match?.[1];
}
