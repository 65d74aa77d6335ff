import { physicalName, tfName } from "../../../../constructs/core/naming";

describe("tfName", () => {
  it.each([
    ["movie_infos_table", "movie_infos_table"],
    ["getMovieLambda", "get_movie_lambda"],
    ["get-movie-lambda", "get_movie_lambda"],
    ["MoviesAPI", "movies_api"],
    ["APIGatewayStage", "api_gateway_stage"],
    ["Get Movie", "get_movie"],
    ["__x__", "x"],
  ])("%s → %s", (id, expected) => {
    expect(tfName(id)).toBe(expected);
  });

  it("refuses ids that leave nothing usable", () => {
    expect(() => tfName("---")).toThrow('Cannot derive a Terraform name from construct id "---"');
    expect(() => tfName("1table")).toThrow('Cannot derive a Terraform name from construct id "1table"');
  });
});

describe("physicalName", () => {
  it("suffixes the environment", () => {
    expect(physicalName("movie_infos", "dev")).toBe("movie_infos-dev");
    expect(physicalName("get-movie", "prod")).toBe("get-movie-prod");
  });
});
