import { createDocumentClient } from "../../lambdas/shared/dynamodb";
import { requireEnv } from "../../lambdas/shared/env";
import { createLogger } from "../../lambdas/shared/logger";
import { createCatalogServer } from "./server";

/**
 * The container's entry point: configuration from the environment the task definition declares
 * (`MOVIE_INFOS_TABLE`, `PORT`, `AWS_REGION`), checked before listening; stops accepting on SIGTERM (ECS
 * sends it, then SIGKILL 30 s later) and exits once the requests in flight are answered.
 */
const tableName = requireEnv("MOVIE_INFOS_TABLE");
const port = Number(requireEnv("PORT"));
const logger = createLogger({ service: "catalog" });
const server = createCatalogServer({ ddb: createDocumentClient(), tableName, logger });

server.listen(port, process.env.HOST ?? "0.0.0.0", () => {
  logger.info("listening", { port, tableName });
});

for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.once(signal, () => {
    logger.info("stopping", { signal });
    server.close(() => process.exit(0));
    server.closeIdleConnections();
  });
}
