import { Construct } from "constructs";
import { CloudwatchEventBus } from "@cdktf/provider-aws/lib/cloudwatch-event-bus";
import { CloudwatchEventRule } from "@cdktf/provider-aws/lib/cloudwatch-event-rule";
import { CloudwatchEventTarget } from "@cdktf/provider-aws/lib/cloudwatch-event-target";
import { physicalName, tfName } from "./naming";

/** An EventBridge event pattern (`{"source": ["orders.service"], "detail-type": ["OrderCreated"]}`). */
export type EventPattern = Readonly<Record<string, unknown>>;

/**
 * Something a rule can deliver events to. Its resource policy admits exactly the rules it is told
 * about (principal `events.amazonaws.com`, `aws:SourceArn` = the rule's ARN), nothing else.
 */
export interface EventRuleTarget {
  /** The ARN the rule's target points at. */
  readonly targetArn: string;
  /** Lets the rule `ruleArn` deliver to this target. */
  allowEventRule(ruleArn: string): void;
}

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

/**
 * A custom EventBridge bus, `aws_cloudwatch_event_bus.<id>`. A service publishes its domain events here
 * and other services subscribe with rules (`addRule`), so publishers never know their consumers.
 */
export class EventBus extends Construct {
  readonly bus: CloudwatchEventBus;
  readonly busName: string;
  readonly busArn: string;

  private readonly environment: string;

  constructor(scope: Construct, id: string, props: EventBusProps) {
    super(scope, id);
    this.environment = props.environment;
    this.bus = new CloudwatchEventBus(this, "bus", { name: physicalName(props.name, props.environment) });
    this.bus.overrideLogicalId(tfName(id));
    this.busName = this.bus.name;
    this.busArn = this.bus.arn;
  }

  /** Adds a rule on this bus, `aws_cloudwatch_event_rule.<id>`. */
  addRule(id: string, props: EventRuleProps): EventRule {
    return new EventRule(this, id, {
      ...props,
      name: physicalName(props.name, this.environment),
      eventBusName: this.busName,
    });
  }
}

interface EventRuleConstructProps extends EventRuleProps {
  readonly eventBusName: string;
}

/** A rule on an {@link EventBus}; `addTarget` delivers what it matches and opens the target to it. */
export class EventRule extends Construct {
  readonly rule: CloudwatchEventRule;
  readonly ruleName: string;
  readonly ruleArn: string;

  private readonly eventBusName: string;

  constructor(scope: Construct, id: string, props: EventRuleConstructProps) {
    super(scope, id);
    this.eventBusName = props.eventBusName;
    this.rule = new CloudwatchEventRule(this, "rule", {
      name: props.name,
      description: props.description,
      eventBusName: props.eventBusName,
      eventPattern: JSON.stringify(props.eventPattern),
    });
    this.rule.overrideLogicalId(tfName(id));
    this.ruleName = this.rule.name;
    this.ruleArn = this.rule.arn;
  }

  /**
   * Delivers matching events to `target` as `aws_cloudwatch_event_target.<id>` (target id `<id>`), and
   * adds this rule, and only it, to the target's resource policy.
   */
  addTarget(id: string, target: EventRuleTarget): CloudwatchEventTarget {
    const name = tfName(id);
    const resource = new CloudwatchEventTarget(this, `target_${name}`, {
      eventBusName: this.eventBusName,
      rule: this.ruleName,
      targetId: name,
      arn: target.targetArn,
    });
    resource.overrideLogicalId(name);
    target.allowEventRule(this.ruleArn);
    return resource;
  }
}
