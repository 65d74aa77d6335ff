import { spawn, type ChildProcess } from "node:child_process";
import { createServer, request as httpRequest, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { decodeJsonencode } from "../tooling/hcl-expression";
import { referenceOf } from "../tooling/terraform-json";
import type { TerraformResolver } from "./terraform";

/**
 * Container services (ECS on Fargate behind an HTTP API, constructs/container-service.ts) in a local run.
 * No Docker engine runs here, so the service's code runs as a plain Node process, from the folder its task
 * definition's `source` tag names (`containers/catalog`, compiled to `dist/infra/containers/catalog/`), with
 * the environment its task definition declares; the HTTP API's routes are served on a port of their own and
 * proxied to it, as the VPC link and Cloud Map would.
 */

/** One ECS service of a stack, as a local run starts it. */
export interface DeclaredContainerService {
  /** `aws_ecs_service.catalog` */
  readonly address: string;
  /** The service's name (`catalog-dev`). */
  readonly name: string;
  /** The project folder of its code (`containers/catalog`): the task definition's `source` tag. */
  readonly source: string;
  /** The container's environment, resolved (`MOVIE_INFOS_TABLE`, `PORT`, ...). */
  readonly environment: Readonly<Record<string, string>>;
  /** The HTTP API routes that reach it: `GET /catalog/movies/{movieId}`. */
  readonly routes: readonly { readonly method: string; readonly path: string }[];
}

type Config = Record<string, unknown>;

/** The `${type.name...}` a value refers to, or undefined. */
function target(value: unknown): { type: string; name: string } | undefined {
  const ref = referenceOf(value);
  return ref && !ref.data ? ref : undefined;
}

/** Every ECS service of the stack whose task definition names its source, with the routes proxied to it. */
export function declaredContainerServices(resolver: TerraformResolver): DeclaredContainerService[] {
  return resolver.resources("aws_ecs_service").flatMap(([name, service]) => {
    const taskRef = target(service.task_definition);
    if (taskRef?.type !== "aws_ecs_task_definition") return [];
    const task = resolver.config("aws_ecs_task_definition", taskRef.name);
    const source = (task.tags as Config | undefined)?.source;
    if (typeof source !== "string") return [];
    const definitions = decodeJsonencode(String(task.container_definitions)) as Config[];
    const environment = Object.fromEntries(
      ((definitions[0]?.environment ?? []) as { name: string; value: string }[]).map((v) => [
        v.name,
        String(resolver.resolve(v.value)),
      ]),
    );
    const registry = target((service.service_registries as Config | undefined)?.registry_arn);
    return [
      {
        address: `aws_ecs_service.${name}`,
        name: String(resolver.resolve(service.name)),
        source,
        environment,
        routes: registry ? routesTo(resolver, registry.name) : [],
      },
    ];
  });
}

/** The routes of the HTTP APIs whose integration points at the Cloud Map service `discovery`. */
function routesTo(resolver: TerraformResolver, discovery: string) {
  const integrations = resolver
    .resources("aws_apigatewayv2_integration")
    .filter(([, i]) => target(i.integration_uri)?.name === discovery)
    .map(([name]) => name);
  return resolver
    .resources("aws_apigatewayv2_route")
    .filter(([, r]) =>
      integrations.some((i) => String(r.target).includes(`aws_apigatewayv2_integration.${i}.`)),
    )
    .map(([, r]) => {
      const [method = "", path = ""] = String(r.route_key).split(" ");
      return { method, path };
    });
}

/** Whether `path` matches the route template `template` (`/catalog/movies/{movieId}`, one segment each). */
export function matchesRoute(template: string, path: string): boolean {
  const pattern = template
    .split("/")
    .map((segment) => (/^\{[^}]+\}$/.test(segment) ? "[^/]+" : segment.replace(/[.*+?^$()|[\]\\]/g, "\\$&")))
    .join("/");
  return new RegExp(`^${pattern}$`).test(path);
}

/** A running container service: its process and the HTTP API in front of it. */
export interface RunningContainerService {
  /** The local HTTP API (`http://127.0.0.1:3002`), no stage segment (the `$default` stage). */
  readonly origin: string;
  readonly port: number;
  stop(): Promise<void>;
}

export interface ContainerServiceOptions {
  /** The project root; the code runs from `<root>/dist/infra/<source>/index.js`. */
  readonly root: string;
  /** The HTTP API's port (0: a free one). */
  readonly apiPort: number;
  /** The variables the local run adds (region, credentials, local endpoints). */
  readonly localEnvironment: Readonly<Record<string, string>>;
  readonly log: (line: string) => void;
  readonly onSpawn?: (child: ChildProcess) => void;
}

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((listening) => probe.listen(0, "127.0.0.1", listening));
  const { port } = probe.address() as AddressInfo;
  await new Promise((closed) => probe.close(closed));
  return port;
}

async function listen(server: Server, port: number): Promise<number> {
  await new Promise<void>((listening, failed) => {
    server.once("error", failed);
    server.listen(port, "127.0.0.1", listening);
  });
  return (server.address() as AddressInfo).port;
}

/**
 * Starts the service's process (its declared environment, the container port swapped for a free local
 * one, listening on 127.0.0.1) and its HTTP API: a request that matches a route is proxied to the process,
 * anything else gets the HTTP API's own 404 `{"message":"Not Found"}`.
 */
export async function startContainerService(
  service: DeclaredContainerService,
  options: ContainerServiceOptions,
): Promise<RunningContainerService> {
  const port = await freePort();
  const child = spawn(process.execPath, [join(options.root, "dist", "infra", service.source, "index.js")], {
    env: {
      PATH: process.env.PATH,
      ...service.environment,
      ...options.localEnvironment,
      PORT: String(port),
      HOST: "127.0.0.1",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  options.onSpawn?.(child);
  for (const stream of [child.stdout, child.stderr]) {
    stream.setEncoding("utf8");
    stream.on("data", (text: string) => {
      for (const line of text.split("\n").filter(Boolean)) options.log(`[${service.name}] ${line}`);
    });
  }
  const api = createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://local").pathname;
    const routed = service.routes.some(
      (r) => (r.method === "ANY" || r.method === req.method) && matchesRoute(r.path, path),
    );
    if (!routed) {
      res.writeHead(404, { "content-type": "application/json" });
      res.end(JSON.stringify({ message: "Not Found" }));
      return;
    }
    const upstream = httpRequest(
      { host: "127.0.0.1", port, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    // The process is not up (yet, or any more): the HTTP API answers 503, as with no healthy task.
    upstream.on("error", () => {
      res.writeHead(503, { "content-type": "application/json" });
      res.end(JSON.stringify({ message: "Service Unavailable" }));
    });
    req.pipe(upstream);
  });
  const apiPort = await listen(api, options.apiPort);
  return {
    origin: `http://127.0.0.1:${apiPort}`,
    port: apiPort,
    stop: async () => {
      await new Promise((closed) => api.close(closed));
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((done) => child.once("exit", done));
        child.kill("SIGTERM");
        await exited;
      }
    },
  };
}
