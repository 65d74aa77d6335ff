import { functionNameOfArn } from "../../../local/functions";

describe("functionNameOfArn", () => {
  it("finds the function in alias, function and invoke ARNs", () => {
    expect(functionNameOfArn("arn:aws:lambda:eu-central-1:000000000000:function:get-movie-dev:live")).toBe(
      "get-movie-dev",
    );
    expect(
      functionNameOfArn(
        "arn:aws:apigateway:eu-central-1:lambda:path/2015-03-31/functions/arn:aws:lambda:eu-central-1:0:function:f_1/invocations",
      ),
    ).toBe("f_1");
    expect(functionNameOfArn("arn:aws:sqs:eu-central-1:0:queue")).toBeUndefined();
  });
});
