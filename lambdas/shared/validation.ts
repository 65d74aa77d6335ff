import type { APIGatewayProxyEvent } from "aws-lambda";
import { PayloadTooLargeError, ValidationError } from "./errors";

/** A value a validator has confirmed is a plain JSON object. */
export type JsonObject = Record<string, unknown>;

/** Default cap on request bodies, in bytes (after base64 decoding). */
export const DEFAULT_MAX_BODY_BYTES = 64 * 1024;

/**
 * Returns the path parameter `name`, checked against `pattern`.
 *
 * @param rule describes `pattern` in words for the error message.
 * @throws ValidationError naming the parameter when it is missing, empty or does not match.
 */
export function requirePathParameter(
  event: Pick<APIGatewayProxyEvent, "pathParameters">,
  name: string,
  pattern: RegExp,
  rule: string,
): string {
  const value = event.pathParameters?.[name];
  if (value === undefined || value === null || value === "") {
    throw new ValidationError(`Path parameter "${name}" is required`);
  }
  if (!pattern.test(value)) {
    throw new ValidationError(`Path parameter "${name}" must be ${rule}`);
  }
  return value;
}

// One character class and no repeated group: the check is linear and needs no stack, whatever the length
// (a repeated group of four overflowed the stack on a 5 MB body).
const BASE64_CHARS = /^[A-Za-z0-9+/]*={0,2}$/;
const utf8 = new TextDecoder("utf-8", { fatal: true });

/** Canonical padded base64: whole groups of four characters, padding only at the end. */
function isBase64(text: string): boolean {
  return text.length % 4 === 0 && BASE64_CHARS.test(text);
}

/** The size base64 `text` decodes to, from its length alone. */
function base64DecodedBytes(text: string): number {
  const padding = text.endsWith("==") ? 2 : text.endsWith("=") ? 1 : 0;
  return Math.floor(text.length / 4) * 3 + Math.floor(((text.length % 4) * 3) / 4) - padding;
}

/**
 * Decodes (base64 if API Gateway says so), size-checks and parses a JSON request body. The size check
 * comes first, before the body is validated, decoded or parsed, so an oversized body costs nothing more.
 *
 * @throws ValidationError when the body is missing, not base64/UTF-8 as announced, or not valid JSON.
 * @throws PayloadTooLargeError when the decoded body exceeds `maxBytes`.
 */
export function parseJsonBody(
  event: Pick<APIGatewayProxyEvent, "body" | "isBase64Encoded">,
  maxBytes: number = DEFAULT_MAX_BODY_BYTES,
): unknown {
  const { body } = event;
  if (body === null || body === undefined || body === "") {
    throw new ValidationError("Request body is required");
  }
  let text: string;
  if (event.isBase64Encoded) {
    if (base64DecodedBytes(body) > maxBytes) throw tooLarge(maxBytes);
    if (!isBase64(body)) throw new ValidationError("Request body is not valid base64");
    const bytes = Buffer.from(body, "base64");
    try {
      text = utf8.decode(bytes);
    } catch (error) {
      throw new ValidationError("Request body is not valid UTF-8", { cause: error });
    }
  } else {
    if (Buffer.byteLength(body, "utf8") > maxBytes) throw tooLarge(maxBytes);
    text = body;
  }
  if (text.trim() === "") throw new ValidationError("Request body is required");
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new ValidationError("Request body is not valid JSON", { cause: error });
  }
}

function tooLarge(maxBytes: number): PayloadTooLargeError {
  return new PayloadTooLargeError(`Request body must not exceed ${maxBytes} bytes`);
}

/** @throws ValidationError unless `value` is a JSON object (not an array, not null). */
export function requireJsonObject(value: unknown, what = "Request body"): JsonObject {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new ValidationError(`${what} must be a JSON object`);
  }
  return value as JsonObject;
}

/** @throws ValidationError naming the first field of `body` that is not in `allowed`. */
export function rejectUnknownFields(body: JsonObject, allowed: readonly string[]): void {
  const unknown = Object.keys(body).find((field) => !allowed.includes(field));
  if (unknown !== undefined) {
    throw new ValidationError(`Unknown field "${unknown}"`);
  }
}

/**
 * Reads an optional integer field within [min, max]. Absent means `undefined`; present-but-null is invalid.
 *
 * @throws ValidationError naming the field when it is not an integer in range.
 */
export function optionalIntegerField(
  body: JsonObject,
  field: string,
  min: number,
  max: number,
): number | undefined {
  if (!Object.hasOwn(body, field)) return undefined;
  const value = body[field];
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    throw new ValidationError(`Field "${field}" must be an integer between ${min} and ${max}`);
  }
  return value;
}

/**
 * Reads an optional string field. Absent means `undefined`.
 *
 * @throws ValidationError naming the field when it is present but not a string.
 */
export function optionalStringField(body: JsonObject, field: string): string | undefined {
  if (!Object.hasOwn(body, field)) return undefined;
  const value = body[field];
  if (typeof value !== "string") {
    throw new ValidationError(`Field "${field}" must be a string`);
  }
  return value;
}
