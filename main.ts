import { App } from "cdktf";
import { addStacks } from "./stacks/app";
import { services } from "./stacks/services";
import { synthReport } from "./stacks/synth-report";

/**
 * Synthesizes every stack into cdktf.out/ (run compiled: `npm run synth`, or through `cdktf`), then
 * prints what each stack reserves of Lambda's concurrency and the warnings and errors the stacks carry.
 */
const app = new App();
addStacks(app, services);
app.synth();
for (const line of synthReport(app.outdir)) process.stdout.write(`${line}\n`);
