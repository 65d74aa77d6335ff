import { evaluate } from "../../../local/iam-policy";
import { functionIdentities, policyDocumentOf } from "../../../local/iam-roles";
import { TerraformResolver } from "../../../local/terraform";
import { synthesized } from "../../helpers/synth";

const ARN = "arn:aws:dynamodb:eu-central-1:000000000000:table";

describe("functionIdentities: each function's role and policies, from cdk.tf.json", () => {
  it("gives each function its role's attached policy, references resolved to local ARNs", () => {
    const resolver = new TerraformResolver(synthesized("orders-dev"), { region: "eu-central-1" });
    const [orders] = functionIdentities(resolver);
    expect(orders).toMatchObject({
      functionName: "orders-dev",
      roleName: "orders-dev",
      principalArn: "arn:aws:sts::000000000000:assumed-role/orders-dev/orders-dev",
      warnings: [],
    });
    expect(orders?.policies.map((p) => p.source)).toEqual(["aws_iam_policy.orders_lambda_policy"]);
    const policies = orders?.policies ?? [];
    expect(evaluate(policies, "dynamodb:PutItem", `${ARN}/orders-dev`).effect).toBe("allow");
    expect(evaluate(policies, "dynamodb:GetItem", `${ARN}/orders-dev`).effect).toBe("allow");
    expect(evaluate(policies, "dynamodb:DeleteItem", `${ARN}/orders-dev`).effect).toBe("implicit-deny");
    expect(evaluate(policies, "dynamodb:PutItem", `${ARN}/movie_infos-dev`).effect).toBe("implicit-deny");
  });

  it("reads the movie functions' grants: reads, the transaction's items, the bucket's objects", () => {
    const resolver = new TerraformResolver(synthesized("movies-dev"), { region: "eu-central-1" });
    const byName = new Map(functionIdentities(resolver).map((f) => [f.functionName, f.policies]));
    const allowed = (fn: string, action: string, resource: string) =>
      evaluate(byName.get(fn) ?? [], action, resource).effect === "allow";
    expect(allowed("get-movie-dev", "dynamodb:BatchGetItem", `${ARN}/movie_ratings-dev`)).toBe(true);
    expect(allowed("get-movie-dev", "dynamodb:PutItem", `${ARN}/movie_ratings-dev`)).toBe(false);
    expect(allowed("update-rating-dev", "dynamodb:ConditionCheckItem", `${ARN}/movie_infos-dev`)).toBe(true);
    expect(allowed("update-rating-dev", "dynamodb:UpdateItem", `${ARN}/movie_infos-dev`)).toBe(false);
    expect(
      allowed("upload-infos-dev", "s3:GetObject", "arn:aws:s3:::000000000000-movie-infos-dev/a.csv"),
    ).toBe(true);
    expect(
      allowed("upload-infos-dev", "s3:PutObject", "arn:aws:s3:::000000000000-movie-infos-dev/a.csv"),
    ).toBe(false);
    const machine = "arn:aws:states:eu-central-1:000000000000:stateMachine:movie-infos-ingestion-dev";
    expect(allowed("upload-infos-dev", "states:StartExecution", machine)).toBe(true);
    expect(allowed("upload-infos-batch-dev", "states:StartExecution", machine)).toBe(false);
    expect(allowed("upload-infos-batch-dev", "dynamodb:BatchWriteItem", `${ARN}/movie_infos-dev`)).toBe(true);
  });

  it("renders policy documents as the provider does, and reads jsonencode policies", () => {
    const resolver = new TerraformResolver({
      data: {
        aws_iam_policy_document: {
          base: { statement: [{ sid: "A", actions: ["s3:GetObject"], resources: ["*"] }] },
          doc: {
            source_policy_documents: ["${data.aws_iam_policy_document.base.json}"],
            statement: [
              {
                sid: "A",
                effect: "Deny",
                actions: ["s3:GetObject"],
                resources: ["${aws_s3_bucket.b.arn}/*"],
              },
              {
                not_actions: ["s3:*"],
                not_resources: ["x"],
                condition: [{ test: "Bool", variable: "aws:SecureTransport", values: ["true"] }],
              },
            ],
          },
        },
      },
      resource: { aws_s3_bucket: { b: { bucket: "bk" } } },
    });
    expect(policyDocumentOf(resolver, "${data.aws_iam_policy_document.doc.json}")).toEqual({
      Version: "2012-10-17",
      Statement: [
        { Sid: "A", Effect: "Deny", Action: ["s3:GetObject"], Resource: ["arn:aws:s3:::bk/*"] },
        {
          Effect: "Allow",
          NotAction: ["s3:*"],
          NotResource: ["x"],
          Condition: { Bool: { "aws:SecureTransport": ["true"] } },
        },
      ],
    });
    expect(
      policyDocumentOf(
        resolver,
        '${jsonencode({"Statement" = [{"Effect" = "Allow", "Action" = "s3:*", "Resource" = aws_s3_bucket.b.arn}]})}',
      ),
    ).toEqual({
      Statement: [{ Effect: "Allow", Action: "s3:*", Resource: "arn:aws:s3:::bk" }],
    });
  });

  it("warns about what it cannot know: managed policies, a role outside the stack", () => {
    const resolver = new TerraformResolver({
      resource: {
        aws_iam_role: {
          r: { name: "r-dev", managed_policy_arns: ["arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"] },
        },
        aws_lambda_function: {
          f: { function_name: "f-dev", role: "${aws_iam_role.r.arn}" },
          g: { function_name: "g-dev", role: "arn:aws:iam::000000000000:role/elsewhere" },
        },
      },
    });
    expect(functionIdentities(resolver).map((f) => [f.functionName, f.roleName, f.warnings])).toEqual([
      [
        "f-dev",
        "r-dev",
        [
          "aws_iam_role.r: arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess is not declared in the stack; locally it grants nothing",
        ],
      ],
      [
        "g-dev",
        "elsewhere",
        [
          "aws_lambda_function.g: its role is not declared in the stack; locally the function is allowed nothing",
        ],
      ],
    ]);
  });
});
