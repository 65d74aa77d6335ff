import type { Service } from "./app";
import { MoviesStack } from "./movies-stack";
import { NotificationsStack } from "./notifications-stack";
import { OrdersStack } from "./orders-stack";

/**
 * Every service; each gets one stack per environment (`movies-dev`, `orders-prod`, `movies-alice`). A
 * service comes after those it reads a link of (`after`), which is also the deploy order.
 */
export const services: readonly Service[] = [
  { name: "movies", stack: MoviesStack },
  { name: "orders", stack: OrdersStack },
  // Reads the orders bus's name from the orders service's link: deployed after it.
  { name: "notifications", stack: NotificationsStack, after: ["orders"] },
];
