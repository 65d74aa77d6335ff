import { Testing, TerraformStack } from "cdktf";
import { Queue } from "../../../constructs/queue";
import { synthesize } from "../../helpers/synth";

describe("Queue retention", () => {
  it("refuses what SQS refuses: under 60 seconds or over 14 days", () => {
    const stack = () => new TerraformStack(Testing.app(), "test");
    expect(() => new Queue(stack(), "q", { name: "q", environment: "dev", retentionSeconds: 59 })).toThrow(
      "q: retentionSeconds must be an integer from 60 to 1209600",
    );
    expect(
      () => new Queue(stack(), "q", { name: "q", environment: "dev", retentionSeconds: 1_209_601 }),
    ).toThrow("q: retentionSeconds must be an integer from 60 to 1209600");
    const synth = synthesize(
      (() => {
        const s = stack();
        new Queue(s, "q", { name: "q", environment: "dev", retentionSeconds: 86_400 });
        return s;
      })(),
    );
    expect(synth.resource.aws_sqs_queue?.q).toMatchObject({ message_retention_seconds: 86_400 });
  });
});
