import type { Service } from "./app";
import { AuthStack } from "./auth-stack";
import { CatalogStack } from "./catalog-stack";
import { MoviesStack } from "./movies-stack";
import { NotificationsStack } from "./notifications-stack";
import { OrdersStack } from "./orders-stack";

/**
 * Every service; each gets one stack per environment (`movies-dev`, `orders-prod`, `movies-alice`). A
 * service comes after those it reads a link of (`after`), which is also the deploy order.
 */
export const services: readonly Service[] = [
  { name: "auth", stack: AuthStack },
  // Both read the user pool's ARN from the auth service's link (their authorizers, where auth is on).
  { name: "movies", stack: MoviesStack, after: ["auth"] },
  { name: "orders", stack: OrdersStack, after: ["auth"] },
  // Reads the movie_infos table's name and ARN from the movies service's links.
  { name: "catalog", stack: CatalogStack, after: ["movies"] },
  // Reads the orders bus's name from the orders service's link: deployed after it.
  { name: "notifications", stack: NotificationsStack, after: ["orders"] },
];
