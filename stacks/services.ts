import type { Service } from "./app";
import { CatalogStack } from "./catalog-stack";
import { MoviesStack } from "./movies-stack";
import { OrdersStack } from "./orders-stack";

/** Every service; each gets one stack per environment (`movies-dev`, `orders-prod`, `movies-alice`). */
export const services: readonly Service[] = [
  { name: "movies", stack: MoviesStack },
  { name: "orders", stack: OrdersStack },
  { name: "catalog", stack: CatalogStack },
];
