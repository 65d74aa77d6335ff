import { App } from "cdktf";
import { addStateBootstrapStack } from "./stacks/app";
import { synthReport } from "./stacks/synth-report";

/**
 * The `state-bootstrap` stack alone, as its own cdktf app (`npm run deploy:bootstrap`): the bucket every
 * other stack keeps its state in must exist, and its key be configured, before those stacks can be
 * deployed, and cdktf refuses to deploy any stack of an app while one of them reports an error.
 */
const app = new App();
addStateBootstrapStack(app);
app.synth();
for (const line of synthReport(app.outdir)) process.stdout.write(`${line}\n`);
