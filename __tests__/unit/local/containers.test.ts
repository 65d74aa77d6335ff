import { declaredContainerServices, matchesRoute } from "../../../local/containers";
import { TerraformResolver } from "../../../local/terraform";
import { synthesized } from "../../helpers/synth";

describe("declaredContainerServices", () => {
  it("reads catalog-dev's service: its source, its declared environment with the movies link resolved, its routes", () => {
    const resolver = new TerraformResolver(synthesized("catalog-dev"), {
      region: "eu-central-1",
      links: new Map([
        ["/movies-cdktf/dev/movies/movie-infos-table-name", "movie_infos-dev"],
        [
          "/movies-cdktf/dev/movies/movie-infos-table-arn",
          "arn:aws:dynamodb:eu-central-1:000000000000:table/movie_infos-dev",
        ],
      ]),
    });
    expect(declaredContainerServices(resolver)).toEqual([
      {
        address: "aws_ecs_service.catalog",
        name: "catalog-dev",
        source: "containers/catalog",
        environment: { MOVIE_INFOS_TABLE: "movie_infos-dev", PORT: "8080", AWS_REGION: "eu-central-1" },
        routes: [
          { method: "GET", path: "/catalog/movies/{movieId}" },
          { method: "GET", path: "/health" },
        ],
      },
    ]);
  });

  it("fails naming the parameter when no stack of the run publishes the link", () => {
    const resolver = new TerraformResolver(synthesized("catalog-dev"), { region: "eu-central-1" });
    expect(() => declaredContainerServices(resolver)).toThrow(
      "/movies-cdktf/dev/movies/movie-infos-table-name is published by none of the stacks served",
    );
  });
});

describe("matchesRoute", () => {
  it("matches one segment per {parameter}, the rest literally", () => {
    expect(matchesRoute("/catalog/movies/{movieId}", "/catalog/movies/mv1")).toBe(true);
    expect(matchesRoute("/catalog/movies/{movieId}", "/catalog/movies/mv1/x")).toBe(false);
    expect(matchesRoute("/catalog/movies/{movieId}", "/catalog/movies/")).toBe(false);
    expect(matchesRoute("/health", "/health")).toBe(true);
    expect(matchesRoute("/a.b", "/aXb")).toBe(false);
  });
});
