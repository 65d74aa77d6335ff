import { App } from "cdktf";
import { addStacks } from "./stacks/app";
import { services } from "./stacks/services";

/** Synthesizes every stack into cdktf.out/ (run compiled: `npm run synth`, or through `cdktf`). */
const app = new App();
addStacks(app, services);
app.synth();
