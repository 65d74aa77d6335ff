import type { Context } from "aws-lambda";

/** The one Lambda context the unit tests use; `awsRequestId` is what responses and logs carry. */
export const lambdaContext: Context = {
  callbackWaitsForEmptyEventLoop: true,
  functionName: "movies-test-fn",
  functionVersion: "$LATEST",
  invokedFunctionArn: "arn:aws:lambda:eu-west-1:123456789012:function:movies-test-fn",
  memoryLimitInMB: "256",
  awsRequestId: "c6af9ac6-7b61-11e6-9a41-93e8deadbeef",
  logGroupName: "/aws/lambda/movies-test-fn",
  logStreamName: "2024/01/01/[$LATEST]0123456789abcdef",
  getRemainingTimeInMillis: () => 30_000,
  done: () => undefined,
  fail: () => undefined,
  succeed: () => undefined,
};
