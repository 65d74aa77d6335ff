import { declaredTables } from "../../../local/tables";
import { TerraformResolver, type TerraformJson } from "../../../local/terraform";
import { synthesized } from "../../helpers/synth";

const stack: TerraformJson = {
  data: { aws_caller_identity: { current: {} }, aws_region: { current: {} } },
  resource: {
    aws_dynamodb_table: { movie_infos_table: { name: "movie_infos-dev", hash_key: "movie_id" } },
    aws_s3_bucket: {
      movie_infos_bucket: { bucket: "${data.aws_caller_identity.current.account_id}-movie-infos-dev" },
    },
    aws_lambda_function: {
      get_movie_lambda: {
        function_name: "get-movie-dev",
        environment: { variables: { MOVIE_INFOS_TABLE: "${aws_dynamodb_table.movie_infos_table.name}" } },
      },
    },
    aws_lambda_alias: {
      get_movie_lambda_live: { function_name: "${aws_lambda_function.get_movie_lambda.arn}", name: "live" },
    },
  },
};

describe("TerraformResolver", () => {
  const resolver = new TerraformResolver(stack, { accountId: "123456789012", region: "eu-west-3" });

  it("resolves a reference to a configured attribute", () => {
    expect(resolver.resolveString("${aws_dynamodb_table.movie_infos_table.name}")).toBe("movie_infos-dev");
  });

  it("resolves references inside strings, arrays and objects, and drops cdktf's // metadata", () => {
    expect(
      resolver.resolve({
        "//": { metadata: true },
        list: ["${aws_lambda_function.get_movie_lambda.function_name}", 3],
        text: "table ${aws_dynamodb_table.movie_infos_table.name}!",
      }),
    ).toEqual({ list: ["get-movie-dev", 3], text: "table movie_infos-dev!" });
  });

  it("keeps Terraform's escaped $${ as a literal ${", () => {
    expect(resolver.resolveString("$${not.a.reference} ${aws_dynamodb_table.movie_infos_table.name}")).toBe(
      "${not.a.reference} movie_infos-dev",
    );
  });

  it("resolves jsonencode to the JSON Terraform would make: references filled in, keys sorted", () => {
    expect(
      resolver.resolveString(
        '${jsonencode({"Table" = aws_dynamodb_table.movie_infos_table.name, "Arns" = ["${aws_dynamodb_table.movie_infos_table.arn}/*"], "Note" = "say \\"}\\" <b>", "Literal" = "$${x}"})}',
      ),
    ).toBe(
      '{"Arns":["arn:aws:dynamodb:eu-west-3:123456789012:table/movie_infos-dev/*"],' +
        '"Literal":"${x}","Note":"say \\"}\\" \\u003cb\\u003e","Table":"movie_infos-dev"}',
    );
  });

  it("resolves data sources to the local account and region", () => {
    expect(resolver.reference("aws_s3_bucket.movie_infos_bucket.bucket")).toBe(
      "123456789012-movie-infos-dev",
    );
    expect(resolver.reference("data.aws_region.current.name")).toBe("eu-west-3");
  });

  it("gives computed attributes the shape AWS gives them", () => {
    expect(resolver.reference("aws_dynamodb_table.movie_infos_table.arn")).toBe(
      "arn:aws:dynamodb:eu-west-3:123456789012:table/movie_infos-dev",
    );
    expect(resolver.reference("aws_s3_bucket.movie_infos_bucket.arn")).toBe(
      "arn:aws:s3:::123456789012-movie-infos-dev",
    );
    expect(resolver.reference("aws_lambda_function.get_movie_lambda.invoke_arn")).toBe(
      "arn:aws:apigateway:eu-west-3:lambda:path/2015-03-31/functions/arn:aws:lambda:eu-west-3:123456789012:function:get-movie-dev/invocations",
    );
    expect(resolver.reference("aws_lambda_alias.get_movie_lambda_live.arn")).toBe(
      "arn:aws:lambda:eu-west-3:123456789012:function:get-movie-dev:live",
    );
  });

  it.each([
    [
      "an undeclared resource",
      "${aws_dynamodb_table.nope.name}",
      "aws_dynamodb_table.nope is not declared in the stack",
    ],
    [
      "an unknown computed attribute",
      "${aws_dynamodb_table.movie_infos_table.nope}",
      "Cannot resolve ${aws_dynamodb_table.movie_infos_table.nope} locally: unknown computed attribute",
    ],
    [
      "a function call",
      '${sha1(jsonencode({"a" = 1}))}',
      'Cannot resolve ${sha1(jsonencode({"a" = 1}))} locally: only references are supported',
    ],
    ["an unterminated interpolation", '${jsonencode({"a" = "}"})', "unterminated interpolation"],
    [
      "an undeclared data source",
      "${data.aws_partition.current.partition}",
      "data.aws_partition.current is not declared",
    ],
    [
      "an unknown data attribute",
      "${data.aws_caller_identity.current.arn}",
      "Cannot resolve ${data.aws_caller_identity.current.arn} locally",
    ],
  ])("fails on %s, naming the expression", (_what, value, message) => {
    expect(() => resolver.resolveString(value)).toThrow(message);
  });

  it("resolves the synthesized orders stack's jsonencode'd redrive policies to what AWS receives", () => {
    const stack: TerraformJson = synthesized("orders-dev");
    const local = new TerraformResolver(stack, { accountId: "123456789012", region: "eu-west-3" });
    const queue = local.resolve(local.config("aws_sqs_queue", "order_created_queue")) as {
      redrive_policy: string;
    };
    expect(JSON.parse(queue.redrive_policy)).toEqual({
      deadLetterTargetArn: "arn:aws:sqs:eu-west-3:123456789012:order-created-dlq-dev",
      maxReceiveCount: 5,
    });
    const allow = local.resolve(
      local.config("aws_sqs_queue_redrive_allow_policy", "order_created_queue_dlq_redrive_allow_policy"),
    ) as { redrive_allow_policy: string };
    expect(JSON.parse(allow.redrive_allow_policy)).toEqual({
      redrivePermission: "byQueue",
      sourceQueueArns: ["arn:aws:sqs:eu-west-3:123456789012:order-created-dev"],
    });
  });
});

describe("declaredTables", () => {
  it("follows the synthesized stack: a key schema change there changes the tables the integration tests create", () => {
    const movies = synthesized("movies-dev");
    const original = declaredTables(new TerraformResolver(movies));
    expect(original.map((t) => [t.input.TableName, t.input.KeySchema, t.input.AttributeDefinitions])).toEqual(
      [
        [
          "movie_infos-dev",
          [{ AttributeName: "movie_id", KeyType: "HASH" }],
          [{ AttributeName: "movie_id", AttributeType: "S" }],
        ],
        [
          "movie_ratings-dev",
          [{ AttributeName: "movie_id", KeyType: "HASH" }],
          [{ AttributeName: "movie_id", AttributeType: "S" }],
        ],
      ],
    );

    const ratings = movies.resource.aws_dynamodb_table?.movie_ratings_table as Record<string, unknown>;
    Object.assign(ratings, {
      hash_key: "movie_id",
      range_key: "source",
      attribute: [
        { name: "movie_id", type: "S" },
        { name: "source", type: "S" },
      ],
    });
    const modified = declaredTables(new TerraformResolver(movies));

    expect(modified[1]?.input).toMatchObject({
      TableName: "movie_ratings-dev",
      KeySchema: [
        { AttributeName: "movie_id", KeyType: "HASH" },
        { AttributeName: "source", KeyType: "RANGE" },
      ],
      AttributeDefinitions: [
        { AttributeName: "movie_id", AttributeType: "S" },
        { AttributeName: "source", AttributeType: "S" },
      ],
      BillingMode: "PAY_PER_REQUEST",
    });
  });
});
