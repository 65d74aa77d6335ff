import { PayloadTooLargeError, ValidationError } from "../../../../lambdas/shared/errors";
import { requireMovieId } from "../../../../lambdas/shared/movies";
import { MOVIE_ID_PATTERN } from "../../../../lambdas/shared/movies-contract";
import {
  DEFAULT_MAX_BODY_BYTES,
  optionalIntegerField,
  optionalStringField,
  parseJsonBody,
  rejectUnknownFields,
  requireJsonObject,
  requirePathParameter,
} from "../../../../lambdas/shared/validation";

/** What `fn` throws (it must throw). */
function thrownBy(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error("expected a throw");
}

const ID_RULE_MESSAGE =
  'Path parameter "movieId" must be 1 to 128 characters of letters, digits, "_", "." or "-"';

describe("requireMovieId", () => {
  it.each(["mv1", "tt0816692", "a", "A.b-c_9", "x".repeat(128)])("accepts %p", (movieId) => {
    expect(requireMovieId({ pathParameters: { movieId } })).toBe(movieId);
  });

  it.each([
    ["no path parameters", null],
    ["no movieId", { other: "x" }],
    ["an empty movieId", { movieId: "" }],
  ])("rejects %s as required", (_label, pathParameters) => {
    expect(() => requireMovieId({ pathParameters })).toThrow(
      new ValidationError('Path parameter "movieId" is required'),
    );
  });

  it.each(["mv 1", "mv/1", "x".repeat(129), "é", "mv1\n", "%20"])("rejects %p with the rule", (movieId) => {
    expect(() => requireMovieId({ pathParameters: { movieId } })).toThrow(
      new ValidationError(ID_RULE_MESSAGE),
    );
  });

  it("uses the documented pattern", () => {
    expect(MOVIE_ID_PATTERN.source).toBe("^[A-Za-z0-9_.-]{1,128}$");
  });
});

describe("requirePathParameter", () => {
  it("names the parameter and the rule it breaks", () => {
    expect(() =>
      requirePathParameter({ pathParameters: { year: "20x4" } }, "year", /^\d{4}$/, "4 digits"),
    ).toThrow('Path parameter "year" must be 4 digits');
  });
});

describe("parseJsonBody", () => {
  it("parses a JSON body", () => {
    expect(parseJsonBody({ body: '{"imdb_rating":43}', isBase64Encoded: false })).toEqual({
      imdb_rating: 43,
    });
  });

  it("decodes a base64 body first", () => {
    const body = Buffer.from('{"name":"Amélie"}').toString("base64");
    expect(parseJsonBody({ body, isBase64Encoded: true })).toEqual({ name: "Amélie" });
  });

  it.each([
    ["null", null],
    ["empty", ""],
    ["whitespace only", "  \n"],
  ])("rejects a %s body as missing", (_label, body) => {
    expect(() => parseJsonBody({ body, isBase64Encoded: false })).toThrow(
      new ValidationError("Request body is required"),
    );
  });

  it("rejects a body that is not JSON, keeping the parser's error as the cause", () => {
    const parse = () => parseJsonBody({ body: "{imdb_rating: 43", isBase64Encoded: false });
    expect(thrownBy(parse)).toEqual(new ValidationError("Request body is not valid JSON"));
    expect(thrownBy(parse)).toMatchObject({ cause: expect.any(SyntaxError) });
  });

  it("rejects announced base64 that is not base64", () => {
    expect(() => parseJsonBody({ body: "not base64!", isBase64Encoded: true })).toThrow(
      new ValidationError("Request body is not valid base64"),
    );
  });

  it("rejects a base64 body that is not UTF-8, keeping the decoder's error as the cause", () => {
    const body = Buffer.from([0x7b, 0xff, 0xfe, 0x7d]).toString("base64");
    const parse = () => parseJsonBody({ body, isBase64Encoded: true });
    expect(thrownBy(parse)).toEqual(new ValidationError("Request body is not valid UTF-8"));
    expect(thrownBy(parse)).toMatchObject({ cause: { code: "ERR_ENCODING_INVALID_ENCODED_DATA" } });
  });

  it("accepts a body of exactly the limit and rejects one byte more with 413, before parsing", () => {
    const atLimit = `"${"a".repeat(DEFAULT_MAX_BODY_BYTES - 2)}"`;
    expect(parseJsonBody({ body: atLimit, isBase64Encoded: false })).toHaveLength(DEFAULT_MAX_BODY_BYTES - 2);
    // Not JSON at all: a 400 here would mean it was parsed before the size check.
    const overLimit = "x".repeat(DEFAULT_MAX_BODY_BYTES + 1);
    expect(() => parseJsonBody({ body: overLimit, isBase64Encoded: false })).toThrow(
      new PayloadTooLargeError("Request body must not exceed 65536 bytes"),
    );
  });

  it("counts bytes, not characters", () => {
    expect(() => parseJsonBody({ body: '"éé"', isBase64Encoded: false }, 5)).toThrow(PayloadTooLargeError);
  });

  it("checks the decoded size of a base64 body: exactly the limit passes, one byte more is 413", () => {
    for (const size of [9, 10, 11]) {
      const body = Buffer.from(`"${"x".repeat(size - 2)}"`).toString("base64");
      const parse = () => parseJsonBody({ body, isBase64Encoded: true }, 10);
      if (size <= 10) expect(parse()).toBe("x".repeat(size - 2));
      else expect(parse).toThrow(new PayloadTooLargeError("Request body must not exceed 10 bytes"));
    }
  });

  it("answers 413 for a base64 body of 5 MB or more, before the base64 check (which overflowed the stack)", () => {
    const body = Buffer.alloc(5 * 1024 * 1024, "x").toString("base64");
    expect(() => parseJsonBody({ body, isBase64Encoded: true })).toThrow(
      new PayloadTooLargeError("Request body must not exceed 65536 bytes"),
    );
  });

  it("validates a large base64 body without running out of stack when the limit allows it", () => {
    const body = Buffer.from(`"${"x".repeat(5 * 1024 * 1024)}"`).toString("base64");
    expect(parseJsonBody({ body, isBase64Encoded: true }, 6 * 1024 * 1024)).toHaveLength(5 * 1024 * 1024);
    expect(() =>
      parseJsonBody({ body: `${body.slice(0, -4)}a=b=`, isBase64Encoded: true }, 6 * 1024 * 1024),
    ).toThrow(new ValidationError("Request body is not valid base64"));
  });
});

describe("object and field helpers", () => {
  it.each([
    ["array", []],
    ["null", null],
    ["number", 4],
    ["string", "x"],
  ])("rejects a JSON %s", (_l, value) => {
    expect(() => requireJsonObject(value)).toThrow(new ValidationError("Request body must be a JSON object"));
  });

  it("returns a JSON object as is", () => {
    const value = { a: 1 };
    expect(requireJsonObject(value)).toBe(value);
  });

  it("names the first unknown field", () => {
    expect(() => rejectUnknownFields({ a: 1, b: 2, c: 3 }, ["a"])).toThrow(
      new ValidationError('Unknown field "b"'),
    );
    expect(() => rejectUnknownFields({ a: 1 }, ["a", "z"])).not.toThrow();
  });

  it("reads optional integers within bounds", () => {
    expect(optionalIntegerField({ n: 0 }, "n", 0, 100)).toBe(0);
    expect(optionalIntegerField({ n: 100 }, "n", 0, 100)).toBe(100);
    expect(optionalIntegerField({}, "n", 0, 100)).toBeUndefined();
  });

  it.each([-1, 101, 4.5, "42", null, true, [1]])("rejects %p as an integer field", (value) => {
    expect(() => optionalIntegerField({ n: value }, "n", 0, 100)).toThrow(
      new ValidationError('Field "n" must be an integer between 0 and 100'),
    );
  });

  it("reads optional strings", () => {
    expect(optionalStringField({ s: "mv1" }, "s")).toBe("mv1");
    expect(optionalStringField({}, "s")).toBeUndefined();
    expect(() => optionalStringField({ s: 1 }, "s")).toThrow(
      new ValidationError('Field "s" must be a string'),
    );
  });

  it("ignores inherited properties", () => {
    expect(
      optionalStringField(Object.create({ s: "inherited" }) as Record<string, unknown>, "s"),
    ).toBeUndefined();
  });
});
