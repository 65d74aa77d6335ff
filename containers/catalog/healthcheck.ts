import { request } from "node:http";

/**
 * The container's health check (the Dockerfile's HEALTHCHECK and the task definition's): exits 0 when the
 * server answers 200 on `/health` within 3 s, else 1. A node script, since the runtime image has no curl.
 */
const port = Number(process.env.PORT ?? "8080");
const probe = request({ host: "127.0.0.1", port, path: "/health", timeout: 3000 }, (response) => {
  response.resume();
  process.exit(response.statusCode === 200 ? 0 : 1);
});
probe.on("timeout", () => probe.destroy(new Error("timeout")));
probe.on("error", () => process.exit(1));
probe.end();
