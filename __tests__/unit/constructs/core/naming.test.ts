import {
  accountScopedName,
  alertsTopicName,
  derivedName,
  kmsAliasName,
  logGroupName,
  physicalName,
  tfName,
} from "../../../../constructs/core/naming";

describe("tfName", () => {
  it.each([
    ["movie_infos_table", "movie_infos_table"],
    ["getMovieLambda", "get_movie_lambda"],
    ["get-movie-lambda", "get_movie_lambda"],
    ["MoviesAPI", "movies_api"],
    ["APIGatewayStage", "api_gateway_stage"],
    ["Get Movie", "get_movie"],
    ["__x__", "x"],
  ])("%s → %s", (id, expected) => {
    expect(tfName(id)).toBe(expected);
  });

  it("refuses ids that leave nothing usable", () => {
    expect(() => tfName("---")).toThrow('Cannot derive a Terraform name from construct id "---"');
    expect(() => tfName("1table")).toThrow('Cannot derive a Terraform name from construct id "1table"');
  });
});

describe("physicalName", () => {
  it("suffixes the environment", () => {
    expect(physicalName("movie_infos", "dev")).toBe("movie_infos-dev");
    expect(physicalName("get-movie", "prod")).toBe("get-movie-prod");
  });
});

describe("names derived from physical names", () => {
  it("suffixes with a hyphen: failure queues, alarms, metric filters", () => {
    expect(derivedName("upload-infos-dev", "failures")).toBe("upload-infos-dev-failures");
    expect(physicalName(derivedName("order-created", "rule-failures"), "dev")).toBe(
      "order-created-rule-failures-dev",
    );
  });

  it("names the alerts topic, account-scoped buckets and key aliases", () => {
    expect(physicalName(alertsTopicName("movies"), "dev")).toBe("movies-alerts-dev");
    expect(accountScopedName("${data.aws_caller_identity.current.account_id}", "movie-infos-dev")).toBe(
      "${data.aws_caller_identity.current.account_id}-movie-infos-dev",
    );
    expect(kmsAliasName("order-notifications-dev")).toBe("alias/order-notifications-dev");
  });

  it("names the log groups AWS services write to", () => {
    expect(logGroupName.lambda("get-movie-dev")).toBe("/aws/lambda/get-movie-dev");
    expect(logGroupName.pipe("order-created-dev")).toBe("/aws/vendedlogs/pipes/order-created-dev");
    expect(logGroupName.apiAccessLogs("movies_api-dev")).toBe("/aws/apigateway/movies_api-dev/access-logs");
  });
});
