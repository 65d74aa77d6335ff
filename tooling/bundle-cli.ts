import { bundleAll, DEFAULT_RUNTIME, functionEntries } from "./bundle";

/**
 * `npm run build:lambdas`: bundles every `lambdas/<name>/index.ts` into `dist/lambdas/<name>/index.js`
 * and `dist/lambdas/<name>.zip`, exactly as synth does (same bundler, same options, same cache).
 */
function main(): void {
  const built = bundleAll(functionEntries().map((entry) => ({ entry, runtime: DEFAULT_RUNTIME })));
  for (const bundle of built) {
    const source = bundle.fromCache ? "cached" : "built";
    console.log(
      `${bundle.name.padEnd(16)} ${(bundle.zipBytes / 1024).toFixed(1).padStart(7)} KiB zipped  ${bundle.sha256}  ${source}`,
    );
  }
}

main();
