import { matchRoute, type DeclaredApi } from "../../../local/api-routes";
import {
  internalServerError,
  isBinary,
  MalformedProxyResponseError,
  missingAuthenticationToken,
  toHttpResponse,
  toProxyEvent,
  type HttpRequest,
} from "../../../local/proxy-events";
import { shopApi } from "../../helpers/shop-api";

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
