import { JsonNumber, JsonSyntaxError, parseJson, validateDraft4 } from "../../../local/json-schema-draft4";

const check = (schema: Record<string, unknown>, body: string) => validateDraft4(schema, parseJson(body));

describe("parseJson", () => {
  it("keeps each number's source text, so 1.0 is not an integer", () => {
    const value = parseJson('{"a": 1.0, "b": -2, "c": [1e3]}') as Map<string, unknown>;
    expect(value.get("a")).toEqual(new JsonNumber("1.0", 1));
    expect((value.get("a") as JsonNumber).integral).toBe(false);
    expect((value.get("b") as JsonNumber).integral).toBe(true);
    expect((value.get("c") as JsonNumber[])[0]?.integral).toBe(false);
  });

  it("rejects what is not JSON, saying where", () => {
    expect(() => parseJson('{"a": 1,}')).toThrow(
      new JsonSyntaxError("Expected a double-quoted property name at position 8"),
    );
    expect(() => parseJson("{'a': 1}")).toThrow(JsonSyntaxError);
    expect(() => parseJson('{"a": 1} x')).toThrow(
      "Unexpected character 'x' after the JSON value at position 9",
    );
    expect(() => parseJson("")).toThrow("Unexpected end of input at position 0");
  });

  it("reads objects into Maps, so __proto__ is an ordinary member", () => {
    expect((parseJson('{"__proto__": true}') as Map<string, unknown>).get("__proto__")).toBe(true);
  });
});

describe("validateDraft4: API Gateway's validator messages", () => {
  it("words each keyword as fge's json-schema-validator does", () => {
    const cases: [Record<string, unknown>, string, string[]][] = [
      [
        { type: "object", required: ["b", "a"] },
        "{}",
        ['object has missing required properties (["a","b"])'],
      ],
      [
        { type: "integer" },
        '"x"',
        ['instance type (string) does not match any allowed primitive type (allowed: ["integer"])'],
      ],
      [
        { type: "integer" },
        "1.0",
        ['instance type (number) does not match any allowed primitive type (allowed: ["integer"])'],
      ],
      [
        { type: "number" },
        "true",
        ['instance type (boolean) does not match any allowed primitive type (allowed: ["integer","number"])'],
      ],
      [{ minimum: 1 }, "0", ["numeric instance is lower than the required minimum (minimum: 1, found: 0)"]],
      [
        { maximum: 100 },
        "101",
        ["numeric instance is greater than the required maximum (maximum: 100, found: 101)"],
      ],
      [
        { minimum: 1, exclusiveMinimum: true },
        "1",
        ["numeric instance is not strictly greater than the required minimum 1"],
      ],
      [{ minLength: 2 }, '"é"', ['string "é" is too short (length: 1, required minimum: 2)']],
      [{ maxLength: 1 }, '"ab"', ['string "ab" is too long (length: 2, maximum allowed: 1)']],
      [{ pattern: "^a+$" }, '"b"', ['ECMA 262 regex "^a+$" does not match input string "b"']],
      [{ enum: ["a", 1] }, '"b"', ['instance value ("b") not found in enum (possible values: ["a",1])']],
      [
        { minItems: 1 },
        "[]",
        ["array is too short: must have at least 1 elements but instance has 0 elements"],
      ],
      [
        { maxItems: 1 },
        "[1,2]",
        ["array is too long: must have at most 1 elements but instance has 2 elements"],
      ],
      [{ uniqueItems: true }, "[1,1.0]", ["array must not contain duplicate elements"]],
      [
        { minProperties: 1 },
        "{}",
        ["object has too few properties (found 0 but schema requires at least 1)"],
      ],
      [
        { maxProperties: 0 },
        '{"a":1}',
        ["object has too many properties (found 1 but schema requires at most 0)"],
      ],
      [{ multipleOf: 5 }, "7", ["remainder of division is not zero (7 / 5)"]],
      [{ not: { type: "string" } }, '"a"', ["instance matched a schema which it should not have"]],
      [
        { anyOf: [{ type: "string" }, { minimum: 3 }] },
        "1",
        ["instance failed to match at least one required schema among 2"],
      ],
      [
        { oneOf: [{ minimum: 0 }, { maximum: 5 }] },
        "1",
        ["instance failed to match exactly one schema (matched 2 out of 2)"],
      ],
      [
        { allOf: [{ minimum: 0 }, { maximum: 0 }] },
        "1",
        ["instance failed to match all required schemas (matched only 1 out of 2)"],
      ],
      [
        { properties: { a: {} }, additionalProperties: false },
        '{"c":1,"a":1,"b":2}',
        ['object instance has properties which are not allowed by the schema: ["b","c"]'],
      ],
      [
        { items: [{}], additionalItems: false },
        "[1,2,3]",
        ["schema only allows 1 elements in array but instance has 3 elements"],
      ],
      [
        { dependencies: { a: ["b"] } },
        '{"a":1}',
        ['property "a" of object has missing property dependencies (schema requires ["b"]; missing: ["b"])'],
      ],
    ];
    for (const [schema, body, messages] of cases)
      expect({ schema, messages: check(schema, body) }).toEqual({ schema, messages });
  });

  it("runs one schema's keywords in alphabetical order, only on the types they apply to", () => {
    const schema = { type: "object", required: ["x"], minProperties: 2, maxLength: 1 };
    expect(check(schema, "{}")).toEqual([
      "object has too few properties (found 0 but schema requires at least 2)",
      'object has missing required properties (["x"])',
    ]);
    // maxLength sorts before type.
    expect(check(schema, '"abc"')).toEqual([
      'string "abc" is too long (length: 3, maximum allowed: 1)',
      'instance type (string) does not match any allowed primitive type (allowed: ["object"])',
    ]);
  });

  it("visits members in name order and stops descending once anything failed", () => {
    const schema = {
      type: "object",
      properties: {
        b: { type: "string" },
        a: { type: "string" },
        c: { type: "object", properties: { deep: { type: "string" } } },
      },
    };
    // a and b both fail at their level; c's own keywords pass, and its member is never visited.
    expect(check(schema, '{"c": {"deep": 1}, "b": 2, "a": 1}')).toEqual([
      'instance type (integer) does not match any allowed primitive type (allowed: ["string"])',
      'instance type (integer) does not match any allowed primitive type (allowed: ["string"])',
    ]);
    expect(check(schema, '{"c": {"deep": 1}}')).toEqual([
      'instance type (integer) does not match any allowed primitive type (allowed: ["string"])',
    ]);
  });

  it("checks elements against items, patternProperties and additionalProperties schemas", () => {
    expect(check({ items: { type: "integer" } }, '[1, "x"]')).toEqual([
      'instance type (string) does not match any allowed primitive type (allowed: ["integer"])',
    ]);
    expect(
      check(
        { patternProperties: { "^n_": { type: "number" } }, additionalProperties: { type: "string" } },
        '{"n_a": "x", "z": 1}',
      ),
    ).toEqual([
      'instance type (string) does not match any allowed primitive type (allowed: ["integer","number"])',
      'instance type (integer) does not match any allowed primitive type (allowed: ["string"])',
    ]);
  });

  it("follows $ref pointers inside the schema", () => {
    const schema = {
      definitions: { id: { type: "string" } },
      properties: { id: { $ref: "#/definitions/id" } },
    };
    expect(check(schema, '{"id": 5}')).toEqual([
      'instance type (integer) does not match any allowed primitive type (allowed: ["string"])',
    ]);
    expect(() => check({ $ref: "#/nowhere" }, "1")).toThrow("$ref #/nowhere cannot be resolved");
  });

  it("accepts what the schema allows", () => {
    expect(
      check({ type: "object", properties: { a: { type: "number" } }, required: ["a"] }, '{"a": 1.5}'),
    ).toEqual([]);
  });
});
