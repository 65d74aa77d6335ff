/**
 * The orders function's environment behind a Cognito authorizer (the stack sets it with `auth: "cognito"`).
 * Import it after lambda-env and before the handler, like lambda-env.
 */
process.env.ORDERS_CUSTOMER_SOURCE = "token";
export {};
