/**
 * IAM identity-based policy evaluation, as AWS does it for one principal in its own account: a request
 * (action, resource ARN) is allowed when some statement allows it and none denies it; an explicit Deny
 * wins over any Allow; with no matching Allow it is implicitly denied. `Action`/`NotAction`,
 * `Resource`/`NotResource`, `*` and `?` wildcards (case-insensitive for actions, case-sensitive for
 * resources) and the common condition operators are supported. Pure functions: the local IAM gateway
 * (iam-gateway.ts) feeds them the function's synthesized policies (iam-roles.ts).
 */

export interface PolicyStatement {
  readonly Sid?: string;
  readonly Effect: "Allow" | "Deny";
  readonly Action?: string | readonly string[];
  readonly NotAction?: string | readonly string[];
  readonly Resource?: string | readonly string[];
  readonly NotResource?: string | readonly string[];
  readonly Condition?: Readonly<Record<string, Readonly<Record<string, string | readonly string[]>>>>;
}

export interface PolicyDocument {
  readonly Version?: string;
  readonly Statement: PolicyStatement | readonly PolicyStatement[];
}

/** A policy and where it comes from (for messages: `aws_iam_policy.orders_lambda_policy`). */
export interface NamedPolicy {
  readonly source: string;
  readonly document: PolicyDocument;
}

/** The request context condition keys are read from (`aws:SecureTransport`, ...); keys are case-insensitive. */
export type ConditionContext = Readonly<Record<string, string | readonly string[]>>;

export type Decision =
  | { readonly effect: "allow"; readonly statement: string }
  | { readonly effect: "explicit-deny"; readonly statement: string }
  | { readonly effect: "implicit-deny" };

const list = (value: string | readonly string[] | undefined): readonly string[] =>
  value === undefined ? [] : typeof value === "string" ? [value] : value;

/** IAM's wildcard match: `*` any run of characters, `?` exactly one; everything else literal. */
export function wildcardMatch(pattern: string, value: string, ignoreCase = false): boolean {
  const source = pattern
    .split(/([*?])/)
    .map((part) => (part === "*" ? ".*" : part === "?" ? "." : part.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")))
    .join("");
  return new RegExp(`^${source}$`, ignoreCase ? "is" : "s").test(value);
}

function contextValues(context: ConditionContext, key: string): readonly string[] | undefined {
  const found = Object.entries(context).find(([k]) => k.toLowerCase() === key.toLowerCase());
  return found ? list(found[1]) : undefined;
}

/** One operator on one key: true when the condition holds (AWS: any context value matches any listed value). */
function conditionHolds(
  operator: string,
  key: string,
  expected: readonly string[],
  context: ConditionContext,
): boolean {
  const ifExists = operator.endsWith("IfExists");
  const base = ifExists ? operator.slice(0, -"IfExists".length) : operator;
  const [, setOperator, simple = base] = /^(ForAllValues:|ForAnyValue:)?(.+)$/.exec(base) ?? [];
  const actual = contextValues(context, key);
  if (simple === "Null") return expected.some((e) => (e.toLowerCase() === "true") === (actual === undefined));
  if (actual === undefined) return ifExists || setOperator === "ForAllValues:";
  const matches = (value: string, wanted: string): boolean => {
    switch (simple) {
      case "StringEquals":
      case "ArnEquals":
        return value === wanted;
      case "StringNotEquals":
      case "ArnNotEquals":
        return value !== wanted;
      case "StringEqualsIgnoreCase":
        return value.toLowerCase() === wanted.toLowerCase();
      case "StringNotEqualsIgnoreCase":
        return value.toLowerCase() !== wanted.toLowerCase();
      case "StringLike":
      case "ArnLike":
        return wildcardMatch(wanted, value);
      case "StringNotLike":
      case "ArnNotLike":
        return !wildcardMatch(wanted, value);
      case "Bool":
        return value.toLowerCase() === wanted.toLowerCase();
      case "NumericEquals":
        return Number(value) === Number(wanted);
      case "NumericNotEquals":
        return Number(value) !== Number(wanted);
      case "NumericLessThan":
        return Number(value) < Number(wanted);
      case "NumericLessThanEquals":
        return Number(value) <= Number(wanted);
      case "NumericGreaterThan":
        return Number(value) > Number(wanted);
      case "NumericGreaterThanEquals":
        return Number(value) >= Number(wanted);
      default:
        throw new Error(`condition operator ${operator} is not evaluated locally`);
    }
  };
  // Negated operators hold only when the value matches none... as a whole: every wanted value must hold.
  const negated = /Not(Equals|Like)/.test(simple);
  const one = (value: string) =>
    negated
      ? expected.every((wanted) => matches(value, wanted))
      : expected.some((wanted) => matches(value, wanted));
  return setOperator === "ForAllValues:" ? actual.every(one) : actual.some(one);
}

function conditionsHold(statement: PolicyStatement, context: ConditionContext): boolean {
  return Object.entries(statement.Condition ?? {}).every(([operator, keys]) =>
    Object.entries(keys).every(([key, expected]) => conditionHolds(operator, key, list(expected), context)),
  );
}

/** Does the statement apply to this action on this resource (leaving its Effect aside)? */
export function statementMatches(
  statement: PolicyStatement,
  action: string,
  resource: string,
  context: ConditionContext = {},
): boolean {
  const actionMatches =
    statement.NotAction !== undefined
      ? !list(statement.NotAction).some((p) => wildcardMatch(p, action, true))
      : list(statement.Action).some((p) => wildcardMatch(p, action, true));
  if (!actionMatches) return false;
  const resourceMatches =
    statement.NotResource !== undefined
      ? !list(statement.NotResource).some((p) => wildcardMatch(p, resource))
      : list(statement.Resource).some((p) => wildcardMatch(p, resource));
  return resourceMatches && conditionsHold(statement, context);
}

/** The decision for one action on one resource, as AWS evaluates identity-based policies. */
export function evaluate(
  policies: readonly NamedPolicy[],
  action: string,
  resource: string,
  context: ConditionContext = {},
): Decision {
  let allowed: string | undefined;
  for (const policy of policies) {
    const statements = Array.isArray(policy.document.Statement)
      ? (policy.document.Statement as readonly PolicyStatement[])
      : [policy.document.Statement as PolicyStatement];
    for (const [index, statement] of statements.entries()) {
      if (!statementMatches(statement, action, resource, context)) continue;
      const name = `${policy.source} ${statement.Sid ? `(${statement.Sid})` : `statement ${index}`}`;
      if (statement.Effect === "Deny") return { effect: "explicit-deny", statement: name };
      allowed ??= name;
    }
  }
  return allowed ? { effect: "allow", statement: allowed } : { effect: "implicit-deny" };
}

/**
 * AWS's words for a denied request: `User: <arn> is not authorized to perform: <action> on resource:
 * <resource> because no identity-based policy allows the <action> action` (or `with an explicit deny in
 * an identity-based policy`). S3 quotes the resource; DynamoDB does not.
 */
export function accessDeniedMessage(
  principalArn: string,
  action: string,
  resource: string,
  decision: Exclude<Decision, { effect: "allow" }>,
  quoteResource = false,
): string {
  const reason =
    decision.effect === "explicit-deny"
      ? "with an explicit deny in an identity-based policy"
      : `because no identity-based policy allows the ${action} action`;
  const shown = quoteResource ? `"${resource}"` : resource;
  return `User: ${principalArn} is not authorized to perform: ${action} on resource: ${shown} ${reason}`;
}
