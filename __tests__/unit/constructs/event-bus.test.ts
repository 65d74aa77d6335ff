import { Testing, TerraformStack } from "cdktf";
import { EventBus } from "../../../constructs/event-bus";
import { FailureQueue } from "../../../constructs/failure-queue";
import { synthesize } from "../../helpers/synth";

function stackWithRule() {
  const stack = new TerraformStack(Testing.app(), "test");
  const bus = new EventBus(stack, "shop_bus", { name: "shop", environment: "dev" });
  const rule = bus.addRule("paid_rule", { name: "paid", eventPattern: { "detail-type": ["Paid"] } });
  return { stack, rule };
}

describe("EventRule targets", () => {
  it("take the caller's retry bounds, and share the rule's one dead-letter queue", () => {
    const { stack, rule } = stackWithRule();
    const first = new FailureQueue(stack, "first_queue", { queueName: "first-dev" });
    const second = new FailureQueue(stack, "second_queue", { queueName: "second-dev" });
    rule.addTarget("first_target", first, { maximumEventAgeSeconds: 600, maximumRetryAttempts: 3 });
    rule.addTarget("second_target", second);
    const synth = synthesize(stack);
    const targets = synth.resource.aws_cloudwatch_event_target;
    expect(targets?.first_target).toMatchObject({
      retry_policy: { maximum_event_age_in_seconds: 600, maximum_retry_attempts: 3 },
      dead_letter_config: { arn: "${aws_sqs_queue.paid_rule_dlq.arn}" },
    });
    expect(targets?.second_target).toMatchObject({
      retry_policy: { maximum_event_age_in_seconds: 3600, maximum_retry_attempts: 10 },
      dead_letter_config: { arn: "${aws_sqs_queue.paid_rule_dlq.arn}" },
    });
    expect(Object.keys(synth.resource.aws_sqs_queue ?? {}).sort()).toEqual([
      "first_queue",
      "paid_rule_dlq",
      "second_queue",
    ]);
    expect(synth.resource.aws_sqs_queue?.paid_rule_dlq).toMatchObject({ name: "paid-rule-failures-dev" });
  });

  it("create no dead-letter queue for a rule without targets", () => {
    const { stack } = stackWithRule();
    expect(synthesize(stack).resource.aws_sqs_queue).toBeUndefined();
  });
});
