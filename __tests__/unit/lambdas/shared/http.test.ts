import {
  ConflictError,
  HttpError,
  NotFoundError,
  PayloadTooLargeError,
  ValidationError,
} from "../../../../lambdas/shared/errors";
import { errorResponse, jsonResponse, withHeaders } from "../../../../lambdas/shared/http";

const JSON_HEADERS = { "Content-Type": "application/json" };

describe("jsonResponse", () => {
  it("sets the status, the JSON content type and a JSON body", () => {
    expect(jsonResponse(201, { movie_id: "mv1", name: "Amélie" })).toEqual({
      statusCode: 201,
      headers: JSON_HEADERS,
      body: '{"movie_id":"mv1","name":"Amélie"}',
    });
  });
});

describe("withHeaders", () => {
  it("adds headers to a JSON response, but never changes its content type", () => {
    const response = withHeaders(jsonResponse(201, {}), {
      Location: "/dev/orders/1",
      "Content-Type": "text/plain",
    });
    expect(response).toEqual({
      statusCode: 201,
      headers: { Location: "/dev/orders/1", "Content-Type": "application/json" },
      body: "{}",
    });
  });
});

describe("errorResponse", () => {
  it.each([
    [new ValidationError('Field "x" is wrong'), 400],
    [new NotFoundError("Movie mv9 not found"), 404],
    [new ConflictError("busy"), 409],
    [new PayloadTooLargeError("too big"), 413],
  ])("exposes %p with its status %i and message", (error, status) => {
    expect(errorResponse(error, "req-1")).toEqual({
      statusCode: status,
      headers: JSON_HEADERS,
      body: JSON.stringify({ message: error.message }),
    });
  });

  it("names each error class after itself", () => {
    expect(new ValidationError("x").name).toBe("ValidationError");
    expect(new NotFoundError("x").name).toBe("NotFoundError");
    expect(new ConflictError("x")).toBeInstanceOf(HttpError);
  });

  it.each([
    ["an Error", new Error("connect ECONNREFUSED 10.0.0.1:443 table movie_infos")],
    ["a string", "boom"],
    ["undefined", undefined],
  ])("turns %s into a bare 500 with the request id and no internals", (_label, error) => {
    const response = errorResponse(error, "req-42");
    expect(response).toEqual({
      statusCode: 500,
      headers: JSON_HEADERS,
      body: '{"message":"Internal server error","requestId":"req-42"}',
    });
  });

  it("does not expose an HttpError whose status is 500 or more", () => {
    class UpstreamError extends HttpError {
      readonly statusCode = 502;
    }
    expect(errorResponse(new UpstreamError("upstream secret"), "req-3").body).toBe(
      '{"message":"Internal server error","requestId":"req-3"}',
    );
  });
});
