import { declaredApis, matchRoute, type DeclaredApi } from "../../../local/api-routes";
import { apiRequestValidation, type ValidatedRequest } from "../../../local/request-validation";
import { TerraformResolver } from "../../../local/terraform";
import { synthesized } from "../../helpers/synth";

/** One stack's API with its validation, and a way to send it a request. */
function apiOf(stack: string) {
  const json = synthesized(stack);
  const resolver = new TerraformResolver(json, { region: "eu-central-1" });
  const api = declaredApis(resolver)[0] as DeclaredApi;
  const validation = apiRequestValidation(resolver, api.address);
  const send = (method: string, path: string, body: string, headers?: [string, string][]) => {
    const match = matchRoute(api, method, path);
    if (!match) throw new Error(`no route for ${method} ${path}`);
    const request: ValidatedRequest = {
      match,
      stage: "dev",
      requestId: "req-1",
      apiId: api.id,
      accountId: "000000000000",
      path,
      query: "",
      headers: headers ?? [["Content-Type", "application/json"]],
      body: Buffer.from(body),
      sourceIp: "127.0.0.1",
    };
    const response = validation.validate(request);
    return (
      response && { status: response.statusCode, headers: response.headers, body: response.body.toString() }
    );
  };
  return { json, validation, send };
}

/**
 * Each model the stacks declare, the route that uses it, and a body that breaks it. The stack's side
 * (the gateway response's status and template) is read from cdk.tf.json; the local side is what the
 * local API answers.
 */
const MODELS = [
  {
    stack: "orders-dev",
    model: "CreateOrder",
    method: "POST",
    path: "/orders",
    bad: '{"customer_id": "c-1"}',
  },
  {
    stack: "movies-dev",
    model: "UpdateRating",
    method: "PATCH",
    path: "/movies/mv1",
    bad: '{"movie_id": "mv1"}',
  },
];

describe("apiRequestValidation: the stack's validators, models and gateway responses", () => {
  it.each(MODELS)(
    "answers a body that breaks $model as the stack's BAD_REQUEST_BODY response",
    ({ stack, model, method, path, bad }) => {
      const { json, send } = apiOf(stack);
      // What the stack configures: the model on that method, the gateway response's status and template.
      const models = Object.values(json.resource.aws_api_gateway_model ?? {}) as { name: string }[];
      expect(models.map((m) => m.name)).toContain(model);
      const configured = Object.values(json.resource.aws_api_gateway_gateway_response ?? {}).find(
        (r) => (r as { response_type: string }).response_type === "BAD_REQUEST_BODY",
      ) as { status_code: string; response_templates: Record<string, string> };
      expect(configured.response_templates["application/json"]).toContain(
        "$context.error.validationErrorString",
      );

      const got = send(method, path, bad);
      expect(got?.status).toBe(Number(configured.status_code));
      expect(got?.headers).toEqual([
        ["Content-Type", "application/json"],
        ["x-amzn-RequestId", "req-1"],
        ["x-amzn-ErrorType", "BadRequestException"],
      ]);
      const parsed = JSON.parse(got?.body ?? "") as { message: string };
      expect(Object.keys(parsed)).toEqual(["message"]);
      expect(parsed.message).toMatch(/^Invalid request body: \[.+\]$/);
    },
  );

  it("words CreateOrder's failures as API Gateway's validator does", () => {
    const { send } = apiOf("orders-dev");
    const message = (body: string) =>
      (JSON.parse(send("POST", "/orders", body)?.body ?? "{}") as { message?: string }).message;
    expect(message('{"customer_id": "c-1"}')).toBe(
      'Invalid request body: [object has missing required properties (["items"])]',
    );
    expect(message("")).toBe(
      'Invalid request body: [object has missing required properties (["customer_id","items"])]',
    );
    // An error at the top stops the validator before it looks at any member.
    expect(message('{"customer_id": "c 1", "items": [], "x": 1}')).toBe(
      'Invalid request body: [object instance has properties which are not allowed by the schema: ["x"]]',
    );
    // Sibling members are all checked, in name order.
    expect(message('{"items": [], "customer_id": "c 1"}')).toBe(
      'Invalid request body: [ECMA 262 regex "^[A-Za-z0-9_.:@+-]{1,128}$" does not match input string "c 1", ' +
        "array is too short: must have at least 1 elements but instance has 0 elements]",
    );
    expect(
      message('{"customer_id": "c-1", "items": [{"sku": "b", "quantity": 1.0, "unit_price_cents": -1}]}'),
    ).toBe(
      'Invalid request body: [instance type (number) does not match any allowed primitive type (allowed: ["integer"]), ' +
        "numeric instance is lower than the required minimum (minimum: 0, found: -1)]",
    );
    expect(message('{"customer_id": "c-1",')).toBe(
      "Invalid request body: [Invalid JSON: Unexpected end of input at position 22]",
    );
    expect(
      send(
        "POST",
        "/orders",
        '{"customer_id": "c-1", "items": [{"sku": "b", "quantity": 2, "unit_price_cents": 0}]}',
      ),
    ).toBeUndefined();
  });

  it("words UpdateRating's failures, and lets a good PATCH through", () => {
    const { send } = apiOf("movies-dev");
    const message = (body: string) =>
      (JSON.parse(send("PATCH", "/movies/mv1", body)?.body ?? "{}") as { message?: string }).message;
    expect(message('{"movie_id": "mv1"}')).toBe(
      "Invalid request body: [instance failed to match at least one required schema among 2]",
    );
    expect(message('{"imdb_rating": 101}')).toBe(
      "Invalid request body: [numeric instance is greater than the required maximum (maximum: 100, found: 101)]",
    );
    expect(message('{"imdb_rating": "9"}')).toBe(
      'Invalid request body: [instance type (string) does not match any allowed primitive type (allowed: ["integer"])]',
    );
    expect(send("PATCH", "/movies/mv1", '{"imdb_rating": 9}')).toBeUndefined();
    // GET has no model: only its (always present) path parameter is required.
    expect(send("GET", "/movies/mv1", "not json")).toBeUndefined();
  });

  it("validates only the content types a model is mapped to; no Content-Type means application/json", () => {
    const { send, validation } = apiOf("movies-dev");
    const invalid =
      "Invalid request body: [instance failed to match at least one required schema among 2, " +
      "object has too few properties (found 0 but schema requires at least 1)]";
    const message = (headers: [string, string][]) =>
      JSON.parse(send("PATCH", "/movies/mv1", "{}", headers)?.body ?? "{}").message;
    expect(message([])).toBe(invalid);
    expect(message([["content-type", "Application/JSON; charset=utf-8"]])).toBe(invalid);
    // As on AWS, a content type no model is mapped to (and no $default) is not validated.
    expect(send("PATCH", "/movies/mv1", "{}", [["content-type", "text/plain"]])).toBeUndefined();
    expect(validation.warnings).toEqual([]);
  });
});
