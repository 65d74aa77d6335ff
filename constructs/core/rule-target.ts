/**
 * Something an EventBridge rule can deliver events to. Its resource policy admits exactly the rules it
 * is told about (principal `events.amazonaws.com`, `aws:SourceArn` = the rule's ARN), nothing else.
 * In core so that targets (topics, queues) and the rule need not import one another.
 */
export interface EventRuleTarget {
  /** The ARN the rule's target points at. */
  readonly targetArn: string;
  /** Lets the rule `ruleArn` deliver to this target. */
  allowEventRule(ruleArn: string): void;
}
