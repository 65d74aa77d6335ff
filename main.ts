import { App } from "cdktf";
import { loadConfig } from "./stacks/config";
import { MoviesStack } from "./stacks/movies-stack";
import { OrdersStack } from "./stacks/orders-stack";

/** Synthesizes every stack into cdktf.out/ (run compiled: `npm run synth`, or through `cdktf`). */
const app = new App();
new MoviesStack(app, "movies-dev", { config: loadConfig("dev") });
new OrdersStack(app, "orders-dev", { config: loadConfig("dev") });
app.synth();
