import { decodeJsonencode } from "../../../tooling/hcl-expression";
import { ACCESS_LOG_FORMAT } from "../../../constructs/rest-api";
import { synthesized } from "../../helpers/synth";

/**
 * Every access-log line shape is valid JSON. A model of how API Gateway writes a line: it takes the
 * stage's format string and puts each `$context` variable's value in its place. Values API Gateway
 * escapes (a client's User-Agent, the path) have their `"` and `\` escaped; the ones it writes raw are
 * written raw: `$context.error.validationErrorString` (the validator's report, quotes and all) and
 * `$context.error.messageString` (the message already in quotes). A missing value is `-`.
 */

/** Variables whose value API Gateway writes as it is, unescaped. */
const RAW = new Set(["$context.error.validationErrorString", "$context.error.messageString"]);

/** The format string the stage is given: what Terraform's jsonencode makes of the configured object. */
function stageFormat(stack: string, api: string): string {
  const stage = synthesized(stack).resource.aws_api_gateway_stage?.[`${api}_stage`] as {
    access_log_settings: { format: string };
  };
  return JSON.stringify(decodeJsonencode(stage.access_log_settings.format));
}

/** One line as API Gateway would write it; a variable without a value in `values` is missing ("-"). */
function render(format: string, values: Readonly<Record<string, string>>): string {
  return format.replace(/\$context\.[A-Za-z0-9.]+/g, (variable) => {
    const value = values[variable] ?? "-";
    return RAW.has(variable) ? value : value.replace(/[\\"]/g, (c) => `\\${c}`);
  });
}

/** A request that reached the function and got its answer. */
const SUCCESS = {
  "$context.requestId": "c0ffee00-1111-2222-3333-444455556666",
  "$context.extendedRequestId": "Ab1Cd2EfFrAMEw=",
  "$context.identity.sourceIp": "203.0.113.7",
  "$context.identity.userAgent": 'curl/8.5.0 "quoted" \\ back\\slash',
  "$context.requestTime": "01/Dec/2025:10:00:00 +0000",
  "$context.httpMethod": "GET",
  "$context.resourcePath": "/movies/{movieId}",
  "$context.path": '/dev/movies/mv"1',
  "$context.status": "200",
  "$context.protocol": "HTTP/1.1",
  "$context.responseLength": "123",
  "$context.responseLatency": "45",
  "$context.integration.latency": "40",
  "$context.integration.status": "200",
  "$context.integration.requestId": "1f2e3d4c-aaaa-bbbb-cccc-ddddeeeeffff",
  "$context.xrayTraceId": "Root=1-67890abc-0123456789abcdef01234567",
};

/** The line shapes a stage writes: answered, refused before any function ran, failed in between. */
const SHAPES: Record<string, Record<string, string>> = {
  "answered by the function": SUCCESS,
  "a body the validator refused (400)": {
    ...SUCCESS,
    "$context.httpMethod": "PATCH",
    "$context.status": "400",
    "$context.error.message": "Invalid request body",
    "$context.error.messageString": '"Invalid request body"',
    "$context.error.responseType": "BAD_REQUEST_BODY",
    "$context.error.validationErrorString":
      '[instance value ("x") not found in enum (possible values: ["a","b"]), object has missing required properties (["items"])]',
    "$context.integration.latency": "-",
    "$context.integration.status": "-",
    "$context.integration.requestId": "-",
  },
  "throttled (429)": {
    ...SUCCESS,
    "$context.status": "429",
    "$context.error.message": "Too Many Requests",
    "$context.error.responseType": "THROTTLED",
  },
  "a route that does not exist (403)": {
    "$context.requestId": SUCCESS["$context.requestId"],
    "$context.identity.sourceIp": "203.0.113.7",
    "$context.identity.userAgent": '"}, {"injected": true',
    "$context.httpMethod": "DELETE",
    "$context.path": "/dev/nothing",
    "$context.status": "403",
    "$context.error.message": "Missing Authentication Token",
    "$context.error.responseType": "MISSING_AUTHENTICATION_TOKEN",
  },
  "the function failed (502)": {
    ...SUCCESS,
    "$context.status": "502",
    "$context.error.message": "Internal server error",
    "$context.error.responseType": "DEFAULT_5XX",
    "$context.integration.status": "200",
  },
  "nothing known but the request id": { "$context.requestId": SUCCESS["$context.requestId"] },
};

describe("access-log lines are JSON", () => {
  it.each(Object.entries(SHAPES))("%s: the line parses, every value intact", (_shape, values) => {
    const line = render(stageFormat("movies-dev", "movies_api"), values);
    const parsed = JSON.parse(line) as Record<string, string>;
    for (const [field, variable] of Object.entries(ACCESS_LOG_FORMAT)) {
      expect({ field, value: parsed[field] }).toEqual({ field, value: values[variable] ?? "-" });
    }
  });

  it("uses only variables this model knows, so no line shape goes untried", () => {
    const known = new Set(Object.values(SHAPES).flatMap((values) => Object.keys(values)));
    expect(Object.values(ACCESS_LOG_FORMAT).filter((variable) => !known.has(variable))).toEqual([]);
  });

  it("would catch the validator's raw report: with validationErrorString in the format, that line is not JSON", () => {
    const withReport = JSON.stringify({
      ...ACCESS_LOG_FORMAT,
      validationError: "$context.error.validationErrorString",
    });
    const line = render(withReport, SHAPES["a body the validator refused (400)"] as Record<string, string>);
    expect(() => JSON.parse(line)).toThrow(SyntaxError);
  });
});
