import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import { createCatalogServer } from "../../containers/catalog/server";
import { createDocumentClient } from "../../lambdas/shared/dynamodb";
import { startLocalAws, type LocalAws } from "../helpers/local-aws";
import { LocalMovies } from "../helpers/local-movies";
import { recordingLogger } from "../helpers/logs";
import { synthesized } from "../helpers/synth";

let local: LocalAws;
let movies: LocalMovies;
let server: Server;
let base: string;
const { logger, lines } = recordingLogger();

const HEAT = { movie_id: "mv1", name: "Heat", country_of_origin: "US", release_date: "1995-12-15" };

beforeAll(async () => {
  // The movies stack's tables: the catalog reads the movie_infos table the movies service owns.
  local = await startLocalAws(synthesized("movies-dev"));
  movies = new LocalMovies(local);
  server = createCatalogServer({ ddb: createDocumentClient(), tableName: movies.infosTable, logger });
  await new Promise<void>((listening) => server.listen(0, "127.0.0.1", listening));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}, 60_000);

afterAll(async () => {
  await new Promise((closed) => server?.close(closed));
  await local?.stop();
});

beforeEach(async () => {
  lines.length = 0;
  await movies.clear(movies.infosTable);
  await movies.put(movies.infosTable, HEAT);
});

async function get(path: string, init: RequestInit = {}) {
  const response = await fetch(`${base}${path}`, init);
  return { status: response.status, type: response.headers.get("content-type"), body: await response.json() };
}

describe("the catalog server on DynamoDB Local", () => {
  it("GET /catalog/movies/{movieId}: 200 with the movie_infos item, shaped like get-movie's", async () => {
    await movies.put(movies.infosTable, { movie_id: "mv2", name: "Alien", imdb_rating: 85, stray: "x" });
    await expect(get("/catalog/movies/mv1")).resolves.toEqual({
      status: 200,
      type: "application/json",
      body: HEAT,
    });
    await expect(get("/catalog/movies/mv2")).resolves.toEqual({
      status: 200,
      type: "application/json",
      body: { movie_id: "mv2", name: "Alien" },
    });
    expect(lines.at(-1)).toMatchObject({
      level: "INFO",
      message: "request completed",
      method: "GET",
      path: "/catalog/movies/mv2",
      statusCode: 200,
    });
  });

  it("400 for a bad id and 404 for a movie the table does not have, as {message}", async () => {
    await expect(get("/catalog/movies/bad%20id")).resolves.toEqual({
      status: 400,
      type: "application/json",
      body: {
        message: 'Path parameter "movieId" must be 1 to 128 characters of letters, digits, "_", "." or "-"',
      },
    });
    await expect(get("/catalog/movies/mv9")).resolves.toEqual({
      status: 404,
      type: "application/json",
      body: { message: "Movie mv9 not found" },
    });
    expect(lines.map((l) => l.level)).toEqual(["WARN", "WARN"]);
  });

  it("500 with only the request id (API Gateway's when sent) when the table is unreachable, logged at ERROR", async () => {
    const broken = createCatalogServer({
      ddb: createDocumentClient(),
      tableName: "no-such-table",
      logger,
    });
    await new Promise<void>((listening) => broken.listen(0, "127.0.0.1", listening));
    try {
      const port = (broken.address() as AddressInfo).port;
      const response = await fetch(`http://127.0.0.1:${port}/catalog/movies/mv1`, {
        headers: { "x-amzn-requestid": "req-123" },
      });
      expect(response.status).toBe(500);
      expect(await response.json()).toEqual({ message: "Internal server error", requestId: "req-123" });
      expect(lines.at(-1)).toMatchObject({ level: "ERROR", message: "request failed", requestId: "req-123" });
    } finally {
      await new Promise((closed) => broken.close(closed));
    }
  });

  it("GET /health: 200", async () => {
    await expect(get("/health")).resolves.toEqual({
      status: 200,
      type: "application/json",
      body: { status: "ok" },
    });
  });
});
