import {
  declaredApis,
  functionNameOfArn,
  isBinary,
  matchRoute,
  MalformedProxyResponseError,
  missingAuthenticationToken,
  internalServerError,
  toHttpResponse,
  toProxyEvent,
  type DeclaredApi,
  type HttpRequest,
} from "../../../local/api-gateway";
import { TerraformResolver, type TerraformJson } from "../../../local/terraform";
import { synthMoviesDev } from "../../helpers/synth";

const api = (name: string) => `\${aws_api_gateway_rest_api.${name}.id}`;

/** A hand-written stack with what the movies stack does not use: root methods, ANY, {proxy+}, stages. */
const shop: TerraformJson = {
  resource: {
    aws_lambda_function: {
      catalog: { function_name: "catalog-dev", handler: "index.handler", filename: "assets/catalog.zip" },
      checkout: { function_name: "checkout-dev", handler: "index.handler", filename: "assets/checkout.zip" },
    },
    aws_api_gateway_rest_api: { shop_api: { name: "shop-dev", binary_media_types: ["image/*"] } },
    aws_api_gateway_resource: {
      items: {
        rest_api_id: api("shop_api"),
        parent_id: "${aws_api_gateway_rest_api.shop_api.root_resource_id}",
        path_part: "items",
      },
      item: {
        rest_api_id: api("shop_api"),
        parent_id: "${aws_api_gateway_resource.items.id}",
        path_part: "{itemId}",
      },
      special: {
        rest_api_id: api("shop_api"),
        parent_id: "${aws_api_gateway_resource.items.id}",
        path_part: "special",
      },
      proxy: {
        rest_api_id: api("shop_api"),
        parent_id: "${aws_api_gateway_rest_api.shop_api.root_resource_id}",
        path_part: "{proxy+}",
      },
    },
    aws_api_gateway_method: {
      root_get: {
        rest_api_id: api("shop_api"),
        resource_id: "${aws_api_gateway_rest_api.shop_api.root_resource_id}",
        http_method: "GET",
      },
      item_get: {
        rest_api_id: api("shop_api"),
        resource_id: "${aws_api_gateway_resource.item.id}",
        http_method: "GET",
      },
      item_any: {
        rest_api_id: api("shop_api"),
        resource_id: "${aws_api_gateway_resource.item.id}",
        http_method: "ANY",
      },
      special_get: {
        rest_api_id: api("shop_api"),
        resource_id: "${aws_api_gateway_resource.special.id}",
        http_method: "GET",
      },
      proxy_any: {
        rest_api_id: api("shop_api"),
        resource_id: "${aws_api_gateway_resource.proxy.id}",
        http_method: "ANY",
      },
    },
    aws_api_gateway_integration: {
      root_get: {
        rest_api_id: api("shop_api"),
        resource_id: "${aws_api_gateway_rest_api.shop_api.root_resource_id}",
        http_method: "${aws_api_gateway_method.root_get.http_method}",
        type: "MOCK",
      },
      item_get: {
        rest_api_id: api("shop_api"),
        resource_id: "${aws_api_gateway_resource.item.id}",
        http_method: "GET",
        type: "AWS_PROXY",
        uri: "${aws_lambda_function.catalog.invoke_arn}",
      },
      item_any: {
        rest_api_id: api("shop_api"),
        resource_id: "${aws_api_gateway_resource.item.id}",
        http_method: "ANY",
        type: "AWS_PROXY",
        uri: "${aws_lambda_function.checkout.invoke_arn}",
      },
      special_get: {
        rest_api_id: api("shop_api"),
        resource_id: "${aws_api_gateway_resource.special.id}",
        http_method: "GET",
        type: "AWS_PROXY",
        uri: "arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/arn:aws:lambda:eu-west-1:123456789012:function:special-dev/invocations",
      },
      proxy_any: {
        rest_api_id: api("shop_api"),
        resource_id: "${aws_api_gateway_resource.proxy.id}",
        http_method: "ANY",
        type: "AWS_PROXY",
        uri: "${aws_lambda_function.catalog.invoke_arn}",
      },
    },
    aws_api_gateway_stage: {
      v1: {
        rest_api_id: api("shop_api"),
        stage_name: "v1",
        variables: { table: "${aws_lambda_function.catalog.function_name}" },
      },
    },
    aws_api_gateway_deployment: { legacy: { rest_api_id: api("shop_api"), stage_name: "legacy" } },
  },
};

function shopApi(): DeclaredApi {
  const [declared] = declaredApis(new TerraformResolver(shop, { region: "eu-west-1" }));
  return declared as DeclaredApi;
}

describe("declaredApis", () => {
  it("reads the movies API's routes, stage and functions from the synthesized stack", () => {
    const resolver = new TerraformResolver(JSON.parse(synthMoviesDev().synth.json) as TerraformJson);
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
        aws_api_gateway_resource: { r: { rest_api_id: api("a"), parent_id: "abc123", path_part: "x" } },
      },
    };
    expect(() => declaredApis(new TerraformResolver(broken))).toThrow(
      "aws_api_gateway_resource.r: parent_id must reference a resource or the root resource of a REST API",
    );
  });
});

describe("functionNameOfArn", () => {
  it("finds the function in alias, function and invoke ARNs", () => {
    expect(functionNameOfArn("arn:aws:lambda:eu-central-1:000000000000:function:get-movie-dev:live")).toBe(
      "get-movie-dev",
    );
    expect(
      functionNameOfArn(
        "arn:aws:apigateway:eu-central-1:lambda:path/2015-03-31/functions/arn:aws:lambda:eu-central-1:0:function:f_1/invocations",
      ),
    ).toBe("f_1");
    expect(functionNameOfArn("arn:aws:sqs:eu-central-1:0:queue")).toBeUndefined();
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

describe("toProxyEvent", () => {
  const declared = shopApi();
  const stage = declared.stages[1] as DeclaredApi["stages"][number];
  const request = (overrides: Partial<HttpRequest> = {}): HttpRequest => ({
    method: "POST",
    path: "/items/a%20b",
    query: "",
    headers: [
      ["Host", "127.0.0.1:3000"],
      ["Content-Type", "application/json"],
      ["X-Tag", "one"],
      ["X-Tag", "two"],
      ["User-Agent", "curl/8"],
    ],
    body: Buffer.from('{"a":1}'),
    sourceIp: "127.0.0.1",
    ...overrides,
  });
  const event = (req: HttpRequest) => {
    const found = matchRoute(declared, req.method, req.path);
    if (!found) throw new Error("no route");
    return toProxyEvent(req, found, {
      api: declared,
      stage,
      accountId: "000000000000",
      requestId: "req-1",
      requestTimeEpoch: Date.UTC(2025, 10, 21, 20, 58, 7),
    });
  };

  it("builds the REST API (1.0) proxy event API Gateway sends", () => {
    expect(event(request({ query: "q=a+b&tag=1&tag=2" }))).toEqual({
      resource: "/items/{itemId}",
      path: "/items/a%20b",
      httpMethod: "POST",
      headers: {
        Host: "127.0.0.1:3000",
        "Content-Type": "application/json",
        "X-Tag": "two",
        "User-Agent": "curl/8",
      },
      multiValueHeaders: {
        Host: ["127.0.0.1:3000"],
        "Content-Type": ["application/json"],
        "X-Tag": ["one", "two"],
        "User-Agent": ["curl/8"],
      },
      queryStringParameters: { q: "a b", tag: "2" },
      multiValueQueryStringParameters: { q: ["a b"], tag: ["1", "2"] },
      pathParameters: { itemId: "a b" },
      stageVariables: { table: "catalog-dev" },
      body: '{"a":1}',
      isBase64Encoded: false,
      requestContext: expect.objectContaining({
        accountId: "000000000000",
        apiId: "local-shop_api",
        stage: "v1",
        requestId: "req-1",
        resourceId: "item",
        resourcePath: "/items/{itemId}",
        httpMethod: "POST",
        path: "/v1/items/a%20b",
        protocol: "HTTP/1.1",
        domainName: "127.0.0.1:3000",
        requestTime: "21/Nov/2025:20:58:07 +0000",
        requestTimeEpoch: Date.UTC(2025, 10, 21, 20, 58, 7),
        identity: expect.objectContaining({ sourceIp: "127.0.0.1", userAgent: "curl/8" }),
      }),
    });
  });

  it("gives null query parameters and body when there are none", () => {
    const got = event(request({ method: "GET", body: Buffer.alloc(0) }));
    expect(got).toMatchObject({
      queryStringParameters: null,
      multiValueQueryStringParameters: null,
      body: null,
      isBase64Encoded: false,
    });
  });

  it("base64-encodes a body whose content type is one of the API's binary media types", () => {
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0xff, 0x00]);
    const got = event(request({ headers: [["content-type", "image/png"]], body: png }));
    expect(got.isBase64Encoded).toBe(true);
    expect(Buffer.from(got.body as string, "base64")).toEqual(png);
  });

  it("matches binary media types with wildcards and parameters", () => {
    expect(isBinary("image/png", ["image/*"])).toBe(true);
    expect(isBinary("application/octet-stream; charset=x", ["application/octet-stream"])).toBe(true);
    expect(isBinary("text/csv", ["*/*"])).toBe(true);
    expect(isBinary("application/json", ["image/*"])).toBe(false);
    expect(isBinary(undefined, ["*/*"])).toBe(false);
  });
});

describe("toHttpResponse", () => {
  const header = (res: ReturnType<typeof toHttpResponse>, name: string) =>
    res.headers.filter(([n]) => n.toLowerCase() === name.toLowerCase()).map(([, v]) => v);

  it("maps status, headers and body, and adds API Gateway's request id", () => {
    const res = toHttpResponse(
      { statusCode: 200, headers: { "Content-Type": "text/plain", "X-Count": 2 }, body: "hello" },
      "req-1",
    );
    expect(res.statusCode).toBe(200);
    expect(res.headers).toEqual([
      ["Content-Type", "text/plain"],
      ["X-Count", "2"],
      ["x-amzn-RequestId", "req-1"],
    ]);
    expect(res.body.toString()).toBe("hello");
  });

  it("merges multiValueHeaders over headers, defaults Content-Type to JSON and allows no body", () => {
    const res = toHttpResponse(
      {
        statusCode: "204",
        headers: { "Set-Cookie": "a=1", "X-One": "1" },
        multiValueHeaders: { "set-cookie": ["b=2", "c=3"] },
      },
      "req-1",
    );
    expect(res.statusCode).toBe(204);
    expect(header(res, "set-cookie")).toEqual(["b=2", "c=3"]);
    expect(header(res, "x-one")).toEqual(["1"]);
    expect(header(res, "content-type")).toEqual(["application/json"]);
    expect(res.body.length).toBe(0);
  });

  it("decodes a base64 body", () => {
    const res = toHttpResponse(
      { statusCode: 200, body: Buffer.from([1, 2, 255]).toString("base64"), isBase64Encoded: true },
      "r",
    );
    expect([...res.body]).toEqual([1, 2, 255]);
  });

  it.each([
    ["nothing", undefined],
    ["null", null],
    ["a string", "ok"],
    ["no statusCode", { body: "x" }],
    ["a statusCode out of range", { statusCode: 99 }],
    ["an object body", { statusCode: 200, body: { a: 1 } }],
    ["object header values", { statusCode: 200, headers: { a: { b: 1 } } }],
    ["multiValueHeaders that are not lists", { statusCode: 200, multiValueHeaders: { a: "b" } }],
    ["a non-boolean isBase64Encoded", { statusCode: 200, isBase64Encoded: "yes" }],
    ["a header value with a line break", { statusCode: 200, headers: { Location: "/a\r\nSet-Cookie: x=1" } }],
    ["a header name with a space", { statusCode: 200, headers: { "Bad Name": "x" } }],
  ])("refuses %s as a malformed proxy response", (_what, result) => {
    expect(() => toHttpResponse(result, "r")).toThrow(MalformedProxyResponseError);
  });
});

describe("API Gateway's own errors", () => {
  it("answers an unknown route with 403 Missing Authentication Token", () => {
    const res = missingAuthenticationToken("r");
    expect(res.statusCode).toBe(403);
    expect(res.body.toString()).toBe('{"message":"Missing Authentication Token"}');
    expect(res.headers).toContainEqual(["x-amzn-ErrorType", "MissingAuthenticationTokenException"]);
  });

  it("answers a failed integration with 502 Internal server error", () => {
    const res = internalServerError("r");
    expect(res.statusCode).toBe(502);
    expect(res.body.toString()).toBe('{"message": "Internal server error"}');
  });
});
