import { readdirSync, existsSync } from "node:fs";
import { join } from "node:path";
import { bundle, DEFAULT_RUNTIME } from "./bundle";
import { projectRoot } from "./project-root";

/**
 * `npm run build:lambdas`: bundles every `lambdas/<name>/index.ts` into `dist/lambdas/<name>/index.js`
 * and `dist/lambdas/<name>.zip`, exactly as synth does (same function, same options).
 */
function main(): void {
  const lambdasDir = join(projectRoot, "lambdas");
  for (const name of readdirSync(lambdasDir).sort()) {
    const entry = join("lambdas", name, "index.ts");
    if (!existsSync(join(projectRoot, entry))) continue;
    const built = bundle({ entry, runtime: DEFAULT_RUNTIME });
    console.log(
      `${built.name.padEnd(16)} ${(built.zipBytes / 1024).toFixed(1).padStart(7)} KiB zipped  ${built.sha256}`,
    );
  }
}

main();
