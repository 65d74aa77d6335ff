import { Construct } from "constructs";
import { CloudwatchEventBus } from "@cdktf/provider-aws/lib/cloudwatch-event-bus";
import { CloudwatchEventRule } from "@cdktf/provider-aws/lib/cloudwatch-event-rule";
import { CloudwatchEventTarget } from "@cdktf/provider-aws/lib/cloudwatch-event-target";
import type { EventRuleTarget } from "./core/rule-target";
import { FailureQueue } from "./failure-queue";
import { derivedName, physicalName, tfName } from "./core/naming";
import { ResourceConstruct, withAddress } from "./core/resource-construct";
import { jsonencode } from "./core/jsonencode";

/** An EventBridge event pattern (`{"source": ["orders.service"], "detail-type": ["OrderCreated"]}`). */
export type EventPattern = Readonly<Record<string, unknown>>;

export interface EventBusProps {
  /** Logical bus name (`orders`); the physical name adds the environment (`orders-dev`). */
  readonly name: string;
  readonly environment: string;
}

export interface EventRuleProps {
  /** Logical rule name (`order-created`); the physical name adds the environment. */
  readonly name: string;
  readonly description?: string;
  /** The events the rule matches. */
  readonly eventPattern: EventPattern;
}

/** How long EventBridge keeps retrying a delivery that fails, before the event goes to the rule's DLQ. */
export interface EventTargetRetryOptions {
  /**
   * Age after which an undelivered event stops being retried, in seconds (60 to 86400).
   * @default 3600 (1 hour; EventBridge's own default is 24 hours)
   */
  readonly maximumEventAgeSeconds?: number;
  /**
   * Retries of a failed delivery (0 to 185).
   * @default 10
   */
  readonly maximumRetryAttempts?: number;
}

/**
 * Bounded so a refused delivery reaches the DLQ, and its alarm, within the hour rather than after
 * EventBridge's default 24 hours and 185 retries. Errors EventBridge deems permanent (a missing
 * permission, a deleted target) skip the retries and go to the DLQ at once.
 */
const TARGET_RETRY_DEFAULTS = { maximumEventAgeSeconds: 3600, maximumRetryAttempts: 10 } as const;

/**
 * A custom EventBridge bus, `aws_cloudwatch_event_bus.<id>`. A service publishes its domain events here
 * and other services subscribe with rules (`addRule`), so publishers never know their consumers.
 */
export class EventBus extends ResourceConstruct {
  readonly resource: CloudwatchEventBus;
  readonly busName: string;
  readonly busArn: string;

  private readonly environment: string;

  constructor(scope: Construct, id: string, props: EventBusProps) {
    super(scope, id);
    this.environment = props.environment;
    this.resource = new CloudwatchEventBus(this, "bus", {
      name: physicalName(props.name, props.environment),
    });
    this.address(this.resource);
    this.busName = this.resource.name;
    this.busArn = this.resource.arn;
  }

  /** Adds a rule on this bus, `aws_cloudwatch_event_rule.<id>`. */
  addRule(id: string, props: EventRuleProps): EventRule {
    return ruleOnBus(this, id, { busName: this.busName, environment: this.environment }, props);
  }
}

/** A bus by name: one of this stack's, or another service's, read through a service link. */
export interface EventBusReference {
  /** The bus's name (or a Terraform reference to it: a `LinkedValue`'s value). */
  readonly busName: string;
  /** The environment the rule's names take as their suffix. */
  readonly environment: string;
}

/**
 * Adds a rule on `bus`, `aws_cloudwatch_event_rule.<id>`, named as {@link EventBus.addRule} names its own:
 * a subscriber owns its rule on a bus another service publishes to (the bus's name comes through a
 * service link), so the publisher never lists its consumers.
 */
export function ruleOnBus(
  scope: Construct,
  id: string,
  bus: EventBusReference,
  props: EventRuleProps,
): EventRule {
  return new EventRule(scope, id, {
    ...props,
    name: physicalName(props.name, bus.environment),
    deadLetterQueueName: physicalName(derivedName(props.name, "rule-failures"), bus.environment),
    eventBusName: bus.busName,
  });
}

interface EventRuleConstructProps extends EventRuleProps {
  readonly eventBusName: string;
  /** Physical name of the rule's dead-letter queue (`order-created-rule-failures-dev`). */
  readonly deadLetterQueueName: string;
}

/**
 * A rule on an {@link EventBus}; `addTarget` delivers what it matches and opens the target to it.
 *
 * One dead-letter queue per rule, `aws_sqs_queue.<id>_dlq` (a {@link FailureQueue}: SSE, 14 days,
 * alarmed as soon as it holds a message), created with the first target: every target of the rule
 * sends the events it could not deliver there, and its queue policy admits this rule only. Per rule
 * rather than per bus, so the policy names one rule and the queue's name says which subscription
 * failed; each message also carries the failed target's ARN and the error in its attributes.
 */
export class EventRule extends ResourceConstruct {
  readonly resource: CloudwatchEventRule;
  readonly ruleName: string;
  readonly ruleArn: string;

  private readonly eventBusName: string;
  private readonly deadLetterQueueName: string;
  private deadLetterQueueConstruct?: FailureQueue;

  constructor(scope: Construct, id: string, props: EventRuleConstructProps) {
    super(scope, id);
    this.eventBusName = props.eventBusName;
    this.deadLetterQueueName = props.deadLetterQueueName;
    this.resource = new CloudwatchEventRule(this, "rule", {
      name: props.name,
      description: props.description,
      eventBusName: props.eventBusName,
      eventPattern: jsonencode(props.eventPattern),
    });
    this.address(this.resource);
    this.ruleName = this.resource.name;
    this.ruleArn = this.resource.arn;
  }

  /** The rule's dead-letter queue, created with its first target. */
  get deadLetterQueue(): FailureQueue {
    if (!this.deadLetterQueueConstruct) {
      this.deadLetterQueueConstruct = new FailureQueue(this, `${this.terraformName}_dlq`, {
        queueName: this.deadLetterQueueName,
      });
      this.deadLetterQueueConstruct.allowEventRule(this.ruleArn);
    }
    return this.deadLetterQueueConstruct;
  }

  /**
   * Delivers matching events to `target` as `aws_cloudwatch_event_target.<id>` (target id `<id>`), and
   * adds this rule, and only it, to the target's resource policy. A delivery the target refuses is
   * retried within `retry`'s bounds, then sent to the rule's {@link deadLetterQueue}.
   */
  addTarget(id: string, target: EventRuleTarget, retry: EventTargetRetryOptions = {}): CloudwatchEventTarget {
    const name = tfName(id);
    const resource = new CloudwatchEventTarget(this, `target_${name}`, {
      eventBusName: this.eventBusName,
      rule: this.ruleName,
      targetId: name,
      arn: target.targetArn,
      retryPolicy: {
        maximumEventAgeInSeconds:
          retry.maximumEventAgeSeconds ?? TARGET_RETRY_DEFAULTS.maximumEventAgeSeconds,
        maximumRetryAttempts: retry.maximumRetryAttempts ?? TARGET_RETRY_DEFAULTS.maximumRetryAttempts,
      },
      deadLetterConfig: { arn: this.deadLetterQueue.queueArn },
    });
    withAddress(resource, name);
    target.allowEventRule(this.ruleArn);
    return resource;
  }
}
