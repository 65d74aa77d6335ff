import { parseFunctionName } from "../../../local/lambda-endpoint";

const context = { region: "eu-central-1", accountId: "000000000000" };

describe("parseFunctionName", () => {
  it("reads a name, a partial ARN and a full ARN, each with an optional qualifier, as Lambda does", () => {
    expect(parseFunctionName("get-movie-dev", undefined, context)).toEqual({ name: "get-movie-dev" });
    expect(parseFunctionName("get-movie-dev:live", undefined, context)).toEqual({
      name: "get-movie-dev",
      qualifier: "live",
    });
    expect(parseFunctionName("get-movie-dev", "$LATEST", context)).toEqual({
      name: "get-movie-dev",
      qualifier: "$LATEST",
    });
    expect(parseFunctionName("000000000000:function:get-movie-dev", undefined, context)).toEqual({
      name: "get-movie-dev",
    });
    expect(
      parseFunctionName(
        "arn:aws:lambda:eu-central-1:000000000000:function:get-movie-dev:live",
        "live",
        context,
      ),
    ).toEqual({ name: "get-movie-dev", qualifier: "live" });
  });

  it("finds nothing in another account or region, and refuses what is not a name", () => {
    expect(
      parseFunctionName("arn:aws:lambda:us-east-1:000000000000:function:get-movie-dev", undefined, context),
    ).toEqual({
      name: "",
    });
    expect(parseFunctionName("111111111111:function:get-movie-dev", undefined, context)).toEqual({
      name: "",
    });
    expect(parseFunctionName("get movie", undefined, context)).toEqual({
      error: 'Function name "get movie" is not a name or a function ARN',
    });
    expect(parseFunctionName("get-movie-dev:live", "blue", context)).toEqual({
      error: "The derived qualifier from the function name does not match the specified qualifier.",
    });
  });
});
