import { existsSync } from "node:fs";
import { basename, join } from "node:path";
import { projectRoot } from "../tooling/project-root";
import type { TerraformResolver } from "./terraform";

/** A Lambda function as the stack declares it, mapped to its local bundle. */
export interface DeclaredFunction {
  /** Terraform address (`aws_lambda_function.get_movie_lambda`). */
  readonly address: string;
  readonly functionName: string;
  readonly handler: string;
  readonly runtime: string;
  /** The bundle `npm run build` wrote for it (`dist/lambdas/get-movie/index.js`). */
  readonly bundle: string;
  /** Its environment variables, references resolved to local names. */
  readonly environment: Readonly<Record<string, string>>;
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
    return {
      address: `aws_lambda_function.${name}`,
      functionName: resolver.attribute("aws_lambda_function", name, "function_name"),
      handler: String(config.handler ?? "index.handler"),
      runtime: String(config.runtime ?? ""),
      bundle,
      environment: resolver.resolve(variables) as Record<string, string>,
    };
  });
}

/**
 * The name of the function a Lambda ARN (or an integration's invoke ARN) names:
 * `arn:aws:apigateway:…/functions/arn:aws:lambda:…:function:get-movie-dev:live/invocations` → `get-movie-dev`.
 */
export function functionNameOfArn(arn: string): string | undefined {
  const match = /arn:aws[a-z-]*:lambda:[^:]*:[^:]*:function:([A-Za-z0-9_-]+)/.exec(arn);
  return match?.[1];
}
