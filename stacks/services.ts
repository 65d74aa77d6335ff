import type { Service } from "./app";
import { AuthStack } from "./auth-stack";
import { CatalogStack } from "./catalog-stack";
import { MoviesStack } from "./movies-stack";
import { OrdersStack } from "./orders-stack";

/**
 * Every service; each gets one stack per environment (`movies-dev`, `orders-prod`, `movies-alice`). The
 * order is the deploy order: a service that reads another's link (tooling/service-links.ts) comes after it.
 */
export const services: readonly Service[] = [
  { name: "auth", stack: AuthStack },
  { name: "movies", stack: MoviesStack },
  { name: "orders", stack: OrdersStack },
  { name: "catalog", stack: CatalogStack },
];
