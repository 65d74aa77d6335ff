import { App } from "cdktf";
import { addStacks, type Service } from "./stacks/app";
import { MoviesStack } from "./stacks/movies-stack";
import { OrdersStack } from "./stacks/orders-stack";

/** Every service; each gets one stack per environment (`movies-dev`, `orders-prod`, `movies-alice`). */
const services: readonly Service[] = [
  { name: "movies", stack: MoviesStack },
  { name: "orders", stack: OrdersStack },
];

/** Synthesizes every stack into cdktf.out/ (run compiled: `npm run synth`, or through `cdktf`). */
const app = new App();
addStacks(app, services);
app.synth();
