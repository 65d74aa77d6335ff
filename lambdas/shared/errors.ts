/**
 * Errors a handler may expose to its caller. Each carries the HTTP status it maps to; `errorResponse`
 * (./http.ts) is the one place that turns them into responses. Anything that is not an `HttpError`
 * becomes a bare 500. Code that turns a caught error into one of these passes it as `{ cause }`, so the
 * log line of the request shows what really happened (the response never does).
 */
export abstract class HttpError extends Error {
  abstract readonly statusCode: number;

  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The request is malformed: a path parameter, header or body field is missing or invalid (400). */
export class ValidationError extends HttpError {
  readonly statusCode = 400;
}

/**
 * The caller is not signed in (401). API Gateway's Cognito authorizer answers this before a function
 * runs; a function raises it only when the claims it relies on are missing.
 */
export class UnauthorizedError extends HttpError {
  readonly statusCode = 401;
}

/** The addressed resource does not exist (404). */
export class NotFoundError extends HttpError {
  readonly statusCode = 404;
}

/** The request conflicts with a concurrent change; the caller may retry (409). */
export class ConflictError extends HttpError {
  readonly statusCode = 409;
}

/** The request body is larger than the handler accepts (413). */
export class PayloadTooLargeError extends HttpError {
  readonly statusCode = 413;
}
