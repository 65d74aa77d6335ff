import {
  placeholder,
  planIsEmpty,
  priorStateFrom,
  sensitivePaths,
  type StateV4,
} from "../../../review/prior-state";
import type { PlanJson, ProviderSchemas, ResourceChange } from "../../../review/terraform";

/** The two attributes every resource type below has, as the provider declares them. */
const ARN_AND_ID = {
  arn: { type: "string", computed: true },
  id: { type: "string", optional: true, computed: true },
} as const;

/** A hand-written slice of `terraform providers schema -json` for five resource types. */
const schemas: ProviderSchemas = {
  provider_schemas: {
    "registry.terraform.io/hashicorp/aws": {
      resource_schemas: {
        aws_iam_role: {
          version: 0,
          block: {
            attributes: {
              ...ARN_AND_ID,
              name: { type: "string", required: true },
              unique_id: { type: "string", computed: true },
              max_session_duration: { type: "number", optional: true },
              tags: { type: ["map", "string"], optional: true },
              tags_all: { type: ["map", "string"], optional: true, computed: true },
            },
          },
        },
        aws_lambda_function: {
          version: 0,
          block: {
            attributes: {
              ...ARN_AND_ID,
              function_name: { type: "string", required: true },
              role: { type: "string", required: true },
              memory_size: { type: "number", optional: true, computed: true },
              source_code_size: { type: "number", computed: true },
              architectures: { type: ["list", "string"], optional: true, computed: true },
              invoke_arn: { type: "string", computed: true },
            },
            block_types: {
              environment: {
                nesting_mode: "list",
                block: { attributes: { variables: { type: ["map", "string"], optional: true } } },
              },
            },
          },
        },
        aws_sqs_queue: {
          version: 0,
          block: {
            attributes: {
              ...ARN_AND_ID,
              name: { type: "string", required: true },
              url: { type: "string", computed: true },
              redrive_policy: { type: "string", optional: true, computed: true },
            },
          },
        },
        aws_cloudwatch_metric_alarm: {
          version: 1,
          block: {
            attributes: {
              id: { type: "string", optional: true, computed: true },
              alarm_name: { type: "string", required: true },
              alarm_actions: { type: ["set", "string"], optional: true },
              alarm_description: { type: "string", optional: true },
              dimensions: { type: ["map", "string"], optional: true },
            },
          },
        },
        aws_dynamodb_table: {
          version: 1,
          block: {
            attributes: {
              ...ARN_AND_ID,
              name: { type: "string", required: true },
              hash_key: { type: "string", optional: true, computed: true },
              stream_arn: { type: "string", computed: true },
            },
            block_types: {
              point_in_time_recovery: {
                nesting_mode: "list",
                block: {
                  attributes: {
                    enabled: { type: "bool", required: true },
                    recovery_period_in_days: { type: "number", optional: true, computed: true },
                  },
                },
              },
              server_side_encryption: {
                nesting_mode: "set",
                block: {
                  attributes: {
                    enabled: { type: "bool", required: true },
                    kms_key_arn: { type: "string", computed: true },
                  },
                },
              },
              timeouts: {
                nesting_mode: "single",
                block: { attributes: { create: { type: "string", optional: true } } },
              },
            },
          },
        },
      },
    },
  },
};

const ARN = "arn:aws:offline:eu-central-1:123456789012";

function change(
  address: string,
  actions: ResourceChange["change"]["actions"],
  values: Partial<ResourceChange["change"]>,
  mode: ResourceChange["mode"] = "managed",
): ResourceChange {
  const [type, name] = address.replace(/^data\./, "").split(".") as [string, string];
  return { address, mode, type, name, change: { actions, before: null, after: null, ...values } };
}

/** The base configuration's plan: everything is created, except what is read, kept or deleted. */
const plan: PlanJson = {
  format_version: "1.2",
  terraform_version: "1.11.4",
  resource_changes: [
    change("aws_iam_role.r", ["create"], {
      after: { name: "movies-dev", max_session_duration: 3600, tags: null },
      after_unknown: { arn: true, id: true, unique_id: true, tags_all: true },
    }),
    change("aws_lambda_function.f", ["create"], {
      after: { function_name: "get-movie-dev", environment: [{ variables: { TABLE: "movies-dev" } }] },
      after_unknown: {
        arn: true,
        id: true,
        role: true,
        memory_size: true,
        source_code_size: true,
        architectures: true,
        invoke_arn: true,
        environment: [{}],
      },
    }),
    change("aws_dynamodb_table.t", ["create"], {
      after: {
        name: "movies-dev",
        hash_key: "movie_id",
        point_in_time_recovery: [{ enabled: true }],
        server_side_encryption: [{ enabled: true }],
        timeouts: { create: "10m" },
      },
      after_unknown: {
        arn: true,
        id: true,
        stream_arn: true,
        point_in_time_recovery: [{ recovery_period_in_days: true }],
        server_side_encryption: [{ kms_key_arn: true }],
        timeouts: {},
      },
    }),
    change("aws_iam_role.kept", ["no-op"], {
      before: {
        arn: "arn:aws:iam::123456789012:role/kept",
        id: "kept",
        name: "kept",
        unique_id: "AROAKEPT",
        max_session_duration: 3600,
        tags: {},
        tags_all: {},
        not_in_schema: "dropped",
      },
      after: { name: "ignored: a no-op keeps before" },
    }),
    change("aws_iam_role.gone", ["delete"], { before: { name: "gone" } }),
    change(
      "data.aws_iam_policy_document.p",
      ["read"],
      { after: { json: "{}" }, after_unknown: { id: true } },
      "data",
    ),
  ],
  output_changes: {
    table_name: { actions: ["create"], before: null, after: "movies-dev", after_unknown: false },
    role_arn: { actions: ["create"], before: null, after: null, after_unknown: true },
    api_key: { actions: ["create"], before: null, after: "k-123", after_sensitive: true },
    limits: { actions: ["create"], before: null, after: { memory: 512, arm: true, zones: ["a"] } },
    old: { actions: ["delete"], before: "x", after: null },
  },
};

/** The synthesized resources: the function's role is a plain reference to the role's ARN. */
const configs = {
  aws_iam_role: { r: { name: "movies-dev" } },
  aws_lambda_function: { f: { function_name: "get-movie-dev", role: "${aws_iam_role.r.arn}" } },
  aws_dynamodb_table: { t: { name: "movies-dev", hash_key: "movie_id" } },
};

const state = priorStateFrom(plan, schemas, configs, { terraformVersion: "1.11.4" });

function instance(
  type: string,
  name: string,
): { schema_version: number; attributes: Record<string, unknown> } {
  const resource = (state.resources as { type: string; name: string; instances: unknown[] }[]).find(
    (r) => r.type === type && r.name === name,
  );
  if (!resource) throw new Error(`${type}.${name} is not in the state`);
  return resource.instances[0] as { schema_version: number; attributes: Record<string, unknown> };
}

describe("placeholder", () => {
  it("is ARN-shaped for arn and *_arn, naming the address and path", () => {
    expect(placeholder("aws_iam_role.r", ["arn"], "string")).toBe(`${ARN}:aws_iam_role.r/arn`);
    expect(placeholder("aws_lambda_function.f", ["invoke_arn"], "string")).toBe(
      `${ARN}:aws_lambda_function.f/invoke_arn`,
    );
    expect(placeholder("aws_dynamodb_table.t", ["server_side_encryption", 0, "kms_key_arn"], "string")).toBe(
      `${ARN}:aws_dynamodb_table.t/server_side_encryption/0/kms_key_arn`,
    );
  });

  it("is offline:<address>/<path> for other strings", () => {
    expect(placeholder("aws_iam_role.r", ["unique_id"], "string")).toBe("offline:aws_iam_role.r/unique_id");
  });

  it("is 0 for numbers, false for bools, empty for lists, sets and maps, null for objects", () => {
    expect(placeholder("aws_x.y", ["size"], "number")).toBe(0);
    expect(placeholder("aws_x.y", ["enabled"], "bool")).toBe(false);
    expect(placeholder("aws_x.y", ["names"], ["list", "string"])).toEqual([]);
    expect(placeholder("aws_x.y", ["names"], ["set", "string"])).toEqual([]);
    expect(placeholder("aws_x.y", ["tags"], ["map", "string"])).toEqual({});
    expect(placeholder("aws_x.y", ["config"], ["object", { a: "string" }])).toBeNull();
  });
});

describe("priorStateFrom", () => {
  it("gives computed-only attributes placeholders and leaves optional+computed ones null or empty", () => {
    expect(instance("aws_iam_role", "r").attributes).toEqual({
      arn: `${ARN}:aws_iam_role.r/arn`,
      id: "offline:aws_iam_role.r/id",
      name: "movies-dev",
      unique_id: "offline:aws_iam_role.r/unique_id",
      max_session_duration: 3600,
      tags: null,
      tags_all: {},
    });
  });

  it("always gives id a placeholder, though it is optional+computed", () => {
    expect(instance("aws_dynamodb_table", "t").attributes.id).toBe("offline:aws_dynamodb_table.t/id");
  });

  it("fills an unknown plain reference with exactly the referenced attribute's placeholder", () => {
    const role = instance("aws_iam_role", "r").attributes.arn;
    expect(instance("aws_lambda_function", "f").attributes.role).toBe(role);
    expect(role).toBe(`${ARN}:aws_iam_role.r/arn`);
  });

  it("fills a computed-only number with 0, an optional+computed number with null and list with []", () => {
    const { memory_size, source_code_size, architectures } = instance("aws_lambda_function", "f").attributes;
    expect({ memory_size, source_code_size, architectures }).toEqual({
      memory_size: null,
      source_code_size: 0,
      architectures: [],
    });
  });

  it("fills nested list, set and single blocks", () => {
    const table = instance("aws_dynamodb_table", "t").attributes;
    expect({
      point_in_time_recovery: table.point_in_time_recovery,
      server_side_encryption: table.server_side_encryption,
      timeouts: table.timeouts,
    }).toEqual({
      point_in_time_recovery: [{ enabled: true, recovery_period_in_days: null }],
      server_side_encryption: [
        { enabled: true, kms_key_arn: `${ARN}:aws_dynamodb_table.t/server_side_encryption/0/kms_key_arn` },
      ],
      timeouts: { create: "10m" },
    });
  });

  it("keeps a no-op resource's before (attributes of its schema only)", () => {
    expect(instance("aws_iam_role", "kept").attributes).toEqual({
      arn: "arn:aws:iam::123456789012:role/kept",
      id: "kept",
      name: "kept",
      unique_id: "AROAKEPT",
      max_session_duration: 3600,
      tags: {},
      tags_all: {},
    });
  });

  it("leaves out data sources and deleted resources", () => {
    expect((state.resources as { type: string; name: string }[]).map((r) => `${r.type}.${r.name}`)).toEqual([
      "aws_iam_role.r",
      "aws_lambda_function.f",
      "aws_dynamodb_table.t",
      "aws_iam_role.kept",
    ]);
  });

  it("takes each instance's schema_version from the provider schema", () => {
    expect(instance("aws_dynamodb_table", "t").schema_version).toBe(1);
    expect(instance("aws_iam_role", "r").schema_version).toBe(0);
  });

  it("writes a format 4 state whose resources name the aws provider", () => {
    const { resources, ...envelope } = state;
    expect(envelope).toEqual({
      version: 4,
      terraform_version: "1.11.4",
      serial: 1,
      lineage: "00000000-0000-4000-8000-00000000cafe",
      outputs: expect.any(Object),
    });
    expect(resources[0]).toEqual({
      mode: "managed",
      type: "aws_iam_role",
      name: "r",
      provider: 'provider["registry.terraform.io/hashicorp/aws"]',
      instances: [{ schema_version: 0, attributes: expect.any(Object), sensitive_attributes: [] }],
    });
  });

  it("carries outputs with value, type and sensitive; an unknown one gets a placeholder; deleted ones go", () => {
    expect(state.outputs).toEqual<StateV4["outputs"]>({
      table_name: { value: "movies-dev", type: "string" },
      role_arn: { value: "offline:output.role_arn", type: "string" },
      api_key: { value: "k-123", type: "string", sensitive: true },
      limits: {
        value: { memory: 512, arm: true, zones: ["a"] },
        type: ["object", { memory: "number", arm: "bool", zones: ["tuple", ["string"]] }],
      },
    });
  });

  it("throws naming the resource when the schema has no such type", () => {
    const unknownType: PlanJson = {
      ...plan,
      resource_changes: [change("aws_sns_topic.t", ["create"], { after: {} })],
    };
    expect(() => priorStateFrom(unknownType, schemas, {}, { terraformVersion: "1.11.4" })).toThrow(
      new Error("No provider schema for aws_sns_topic (aws_sns_topic.t)"),
    );
  });
});

describe("sensitivePaths", () => {
  it("turns a plan's sensitivity marks into the state's paths: attributes, list indexes, map keys", () => {
    expect(
      sensitivePaths({
        value: true,
        tags_all: {},
        statement: [{}, { secret: true }],
        environment: [{ variables: { TOKEN: true } }],
      }),
    ).toEqual([
      [{ type: "get_attr", value: "value" }],
      [
        { type: "get_attr", value: "statement" },
        { type: "index", value: { value: 1, type: "number" } },
        { type: "get_attr", value: "secret" },
      ],
      [
        { type: "get_attr", value: "environment" },
        { type: "index", value: { value: 0, type: "number" } },
        { type: "get_attr", value: "variables" },
        { type: "index", value: { value: "TOKEN", type: "string" } },
      ],
    ]);
    expect(sensitivePaths(undefined)).toEqual([]);
  });
});

describe("planIsEmpty", () => {
  const noOp = change("aws_iam_role.r", ["no-op"], { before: { name: "r" }, after: { name: "r" } });
  const read = change("data.aws_iam_policy_document.p", ["read"], {}, "data");
  const base = { format_version: "1.2", terraform_version: "1.11.4" };

  it("is true when every resource is a no-op or a data read and every output a no-op", () => {
    expect(
      planIsEmpty({
        ...base,
        resource_changes: [noOp, read],
        output_changes: { name: { actions: ["no-op"], before: "r", after: "r" } },
      }),
    ).toBe(true);
  });

  it("is false when a resource changes", () => {
    const update = change("aws_iam_role.r", ["update"], { before: { name: "r" }, after: { name: "s" } });
    expect(planIsEmpty({ ...base, resource_changes: [noOp, update] })).toBe(false);
  });

  it("is false when only an output changes", () => {
    expect(
      planIsEmpty({
        ...base,
        resource_changes: [noOp],
        output_changes: { name: { actions: ["update"], before: "r", after: "s" } },
      }),
    ).toBe(false);
  });
});

describe("priorStateFrom: values made of references", () => {
  const queue = (name: string, unknown: Record<string, unknown> = {}) =>
    change(`aws_sqs_queue.${name}`, ["create"], {
      after: { name },
      after_unknown: { arn: true, id: true, url: true, ...unknown },
    });
  const referencing: PlanJson = {
    format_version: "1.2",
    terraform_version: "1.11.4",
    resource_changes: [
      queue("dlq"),
      queue("jobs", { redrive_policy: true }),
      queue("odd", { redrive_policy: true }),
      change("aws_cloudwatch_metric_alarm.age", ["create"], {
        after: {
          alarm_name: "jobs-age",
          alarm_actions: [null, "literal"],
          dimensions: { QueueName: "jobs" },
        },
        after_unknown: {
          id: true,
          alarm_actions: [true, false],
          alarm_description: true,
          dimensions: { Url: true },
        },
      }),
    ],
  };
  const configured = {
    aws_sqs_queue: {
      dlq: { name: "dlq" },
      jobs: {
        name: "jobs",
        redrive_policy:
          '${jsonencode({"maxReceiveCount" = 5, "deadLetterTargetArn" = aws_sqs_queue.dlq.arn})}',
      },
      odd: { name: "odd", redrive_policy: '${jsonencode({"arn" = upper(aws_sqs_queue.dlq.arn)})}' },
    },
    aws_cloudwatch_metric_alarm: {
      age: {
        alarm_name: "jobs-age",
        alarm_actions: ["${aws_sqs_queue.dlq.arn}", "literal"],
        alarm_description: "${aws_sqs_queue.jobs.name}: ${aws_sqs_queue.jobs.url} holds old messages",
        dimensions: { QueueName: "jobs", Url: "${aws_sqs_queue.jobs.url}" },
      },
    },
  };
  const filled = priorStateFrom(referencing, schemas, configured, { terraformVersion: "1.11.4" });
  const attributes = (type: string, name: string) =>
    (
      filled.resources as {
        type: string;
        name: string;
        instances: { attributes: Record<string, unknown> }[];
      }[]
    ).find((r) => r.type === type && r.name === name)?.instances[0]?.attributes ?? {};

  it("fills a list item or map value that is a reference with what the reference holds", () => {
    const alarm = attributes("aws_cloudwatch_metric_alarm", "age");
    expect(alarm.alarm_actions).toEqual([`${ARN}:aws_sqs_queue.dlq/arn`, "literal"]);
    expect(alarm.dimensions).toEqual({ QueueName: "jobs", Url: "offline:aws_sqs_queue.jobs/url" });
  });

  it("fills a template with the planned value of a known reference and the placeholder of an unknown one", () => {
    expect(attributes("aws_cloudwatch_metric_alarm", "age").alarm_description).toBe(
      "jobs: offline:aws_sqs_queue.jobs/url holds old messages",
    );
  });

  it("fills a jsonencode of references as Terraform's jsonencode writes it: keys sorted, no spaces", () => {
    expect(attributes("aws_sqs_queue", "jobs").redrive_policy).toBe(
      `{"deadLetterTargetArn":"${ARN}:aws_sqs_queue.dlq/arn","maxReceiveCount":5}`,
    );
  });

  it("leaves a value with a function call to converge by planning again (optional+computed: null)", () => {
    expect(attributes("aws_sqs_queue", "odd").redrive_policy).toBeNull();
  });
});
