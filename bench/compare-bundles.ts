/**
 * Compares two builds of the Lambda bundles: zip size and cold init of each function, A against B.
 *
 *   node dist/infra/bench/compare-bundles.js <dir A> <dir B> [runs]
 *
 * Each directory holds what `npm run build:lambdas` writes to dist/lambdas (`<name>/index.js` and
 * `<name>.zip`). Every function of the dev stacks (from cdktf.out: run `npm run synth` first) is required
 * `runs` times (default 21) in fresh node processes, A and B interleaved so that load on the machine
 * falls on both alike, with the variables Lambda sets and those its stack declares. Prints the medians
 * of wall and CPU time: on a busy machine the CPU time is the steadier of the two.
 */
import { statSync } from "node:fs";
import { join, resolve } from "node:path";
import { bundleName, coldInit, devFunctions, lambdaVariables } from "./bundles";
import { table } from "./report";
import { median, round } from "./stats";

function main(): void {
  const [dirA, dirB, runsArg] = process.argv.slice(2);
  if (!dirA || !dirB) throw new Error("usage: compare-bundles <dir A> <dir B> [runs]");
  const runs = Number(runsArg ?? 21);
  const rows = devFunctions().map((fn) => {
    const name = bundleName(fn);
    const environment = lambdaVariables(fn);
    const inits = {
      a: [] as { wallMs: number; cpuMs: number }[],
      b: [] as { wallMs: number; cpuMs: number }[],
    };
    for (let i = 0; i < runs; i++) {
      inits.a.push(coldInit(join(resolve(dirA), name, "index.js"), environment));
      inits.b.push(coldInit(join(resolve(dirB), name, "index.js"), environment));
    }
    const zipKiB = (dir: string) => round(statSync(join(resolve(dir), `${name}.zip`)).size / 1024);
    const wall = (list: { wallMs: number }[]) => round(median(list.map((i) => i.wallMs)));
    const cpu = (list: { cpuMs: number }[]) => round(median(list.map((i) => i.cpuMs)));
    return [
      name,
      `${zipKiB(dirA)} → ${zipKiB(dirB)} (${round(zipKiB(dirB) - zipKiB(dirA))})`,
      `${wall(inits.a)} → ${wall(inits.b)} (${round(wall(inits.b) - wall(inits.a))})`,
      `${cpu(inits.a)} → ${cpu(inits.b)} (${round(cpu(inits.b) - cpu(inits.a))})`,
    ];
  });
  process.stdout.write(
    `${table(["bundle", "zip KiB A → B (Δ)", `init wall ms, median of ${runs}`, `init CPU ms, median of ${runs}`], rows)}\n`,
  );
}

main();
