import { declaredApis, matchRoute, type DeclaredApi } from "../../../local/api-routes";
import { TerraformResolver, type TerraformJson } from "../../../local/terraform";
import { restApiId, shopApi } from "../../helpers/shop-api";
import { synthesized } from "../../helpers/synth";

describe("declaredApis", () => {
  it("reads the movies API's routes, stage and functions from the synthesized stack", () => {
    const resolver = new TerraformResolver(synthesized("movies-dev"));
    expect(declaredApis(resolver)).toEqual([
      {
        address: "aws_api_gateway_rest_api.movies_api",
        name: "movies_api-dev",
        id: "local-movies_api",
        stages: [{ name: "dev", variables: null }],
        binaryMediaTypes: [],
        routes: [
          {
            resourcePath: "/movies/{movieId}",
            resourceId: "movie_resource",
            httpMethod: "GET",
            integration: { type: "AWS_PROXY", functionName: "get-movie-dev" },
          },
          {
            resourcePath: "/movies/{movieId}",
            resourceId: "movie_resource",
            httpMethod: "PATCH",
            integration: { type: "AWS_PROXY", functionName: "update-rating-dev" },
          },
        ],
      },
    ]);
  });

  it("builds paths from the parent_id tree, and resolves functions, literal ARNs, stages and variables", () => {
    const declared = shopApi();
    expect(declared.stages).toEqual([
      { name: "legacy", variables: null },
      { name: "v1", variables: { table: "catalog-dev" } },
    ]);
    expect(declared.binaryMediaTypes).toEqual(["image/*"]);
    expect(declared.routes.map((r) => [r.httpMethod, r.resourcePath, r.integration])).toEqual([
      ["GET", "/", { type: "UNSUPPORTED", reason: expect.stringContaining("MOCK integration") }],
      ["GET", "/items/special", { type: "AWS_PROXY", functionName: "special-dev" }],
      ["ANY", "/items/{itemId}", { type: "AWS_PROXY", functionName: "checkout-dev" }],
      ["GET", "/items/{itemId}", { type: "AWS_PROXY", functionName: "catalog-dev" }],
      ["ANY", "/{proxy+}", { type: "AWS_PROXY", functionName: "catalog-dev" }],
    ]);
  });

  it("refuses a resource whose parent is not a resource of the stack", () => {
    const broken: TerraformJson = {
      resource: {
        aws_api_gateway_rest_api: { a: { name: "a" } },
        aws_api_gateway_resource: { r: { rest_api_id: restApiId("a"), parent_id: "abc123", path_part: "x" } },
      },
    };
    expect(() => declaredApis(new TerraformResolver(broken))).toThrow(
      "aws_api_gateway_resource.r: parent_id must reference a resource or the root resource of a REST API",
    );
  });
});

describe("matchRoute", () => {
  const declared = shopApi();
  const match = (method: string, path: string) => {
    const found = matchRoute(declared, method, path);
    return found && [found.route.httpMethod, found.route.resourcePath, found.pathParameters];
  };

  it("prefers a literal segment to a {param}, and a {param} to a {proxy+}", () => {
    expect(match("GET", "/items/special")).toEqual(["GET", "/items/special", null]);
    expect(match("GET", "/items/i-1")).toEqual(["GET", "/items/{itemId}", { itemId: "i-1" }]);
    expect(match("GET", "/items/i-1/reviews/2")).toEqual([
      "ANY",
      "/{proxy+}",
      { proxy: "items/i-1/reviews/2" },
    ]);
  });

  it("prefers the exact method to ANY on the same resource, and falls back to ANY", () => {
    expect(match("get", "/items/i-1")).toEqual(["GET", "/items/{itemId}", { itemId: "i-1" }]);
    expect(match("DELETE", "/items/i-1")).toEqual(["ANY", "/items/{itemId}", { itemId: "i-1" }]);
  });

  it("decodes path parameters, matches the root and ignores a trailing slash", () => {
    expect(match("GET", "/items/a%20b%2Bc")).toEqual(["GET", "/items/{itemId}", { itemId: "a b+c" }]);
    expect(match("GET", "/")).toEqual(["GET", "/", null]);
    expect(match("GET", "/items/i-1/")).toEqual(["GET", "/items/{itemId}", { itemId: "i-1" }]);
  });

  it("finds nothing for a path or method the API does not have", () => {
    const movies: Pick<DeclaredApi, "routes"> = {
      routes: [
        {
          resourcePath: "/movies/{movieId}",
          resourceId: "movie",
          httpMethod: "GET",
          integration: { type: "AWS_PROXY", functionName: "get-movie-dev" },
        },
      ],
    };
    expect(matchRoute(movies, "GET", "/movies")).toBeUndefined();
    expect(matchRoute(movies, "GET", "/movies/mv1/extra")).toBeUndefined();
    expect(matchRoute(movies, "DELETE", "/movies/mv1")).toBeUndefined();
    expect(matchRoute(movies, "POST", "/")).toBeUndefined();
  });
});
