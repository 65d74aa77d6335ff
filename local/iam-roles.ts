import { nestedBlocks, referenceOf } from "../tooling/terraform-json";
import type { NamedPolicy, PolicyDocument, PolicyStatement } from "./iam-policy";
import type { TerraformResolver } from "./terraform";

/**
 * Who each function is to IAM, read from the synthesized Terraform: the role its `role` references, and
 * every identity-based policy that role has (`inline_policy` blocks, `aws_iam_role_policy`, and
 * `aws_iam_policy`s attached by `aws_iam_role_policy_attachment` or `managed_policy_arns`). Policy
 * documents may be JSON (`jsonencode(...)`) or an `aws_iam_policy_document` data source, whose
 * statements are rendered the way the provider renders them; references resolve to the local ARNs.
 */

/** A function's identity in the local IAM. */
export interface FunctionIdentity {
  readonly functionName: string;
  /** `aws_lambda_function.orders_lambda` */
  readonly address: string;
  readonly roleName: string;
  /** What AWS names the function's requests: `arn:aws:sts::<account>:assumed-role/<role>/<function>`. */
  readonly principalArn: string;
  readonly policies: readonly NamedPolicy[];
  /** What cannot be known locally (AWS managed policies, a role outside the stack). */
  readonly warnings: readonly string[];
}

type Block = Record<string, unknown>;

const strings = (value: unknown): string[] | undefined =>
  Array.isArray(value) ? value.map(String) : typeof value === "string" ? [value] : undefined;

/** One `statement` block of an `aws_iam_policy_document` as the JSON statement the provider writes. */
function documentStatement(block: Block, resolver: TerraformResolver): PolicyStatement {
  const resolved = resolver.resolve(block) as Block;
  const conditions: Record<string, Record<string, string[]>> = {};
  for (const condition of nestedBlocks(resolved.condition)) {
    const test = String(condition.test);
    (conditions[test] ??= {})[String(condition.variable)] = strings(condition.values) ?? [];
  }
  const pick = (key: string) => strings(resolved[key]);
  const statement: Record<string, unknown> = {
    ...(typeof resolved.sid === "string" && resolved.sid ? { Sid: resolved.sid } : {}),
    Effect: resolved.effect === "Deny" ? "Deny" : "Allow",
    ...(pick("actions") ? { Action: pick("actions") } : {}),
    ...(pick("not_actions") ? { NotAction: pick("not_actions") } : {}),
    ...(pick("resources") ? { Resource: pick("resources") } : {}),
    ...(pick("not_resources") ? { NotResource: pick("not_resources") } : {}),
    ...(Object.keys(conditions).length > 0 ? { Condition: conditions } : {}),
  };
  return statement as unknown as PolicyStatement;
}

/** `data.aws_iam_policy_document.<name>` rendered: source documents, its statements, then overrides by Sid. */
function dataDocument(resolver: TerraformResolver, name: string): PolicyDocument {
  const config = resolver.config("aws_iam_policy_document", name, true);
  const statementsOf = (documents: unknown) =>
    (strings(documents) ?? []).flatMap((d) => statementList(policyDocumentOf(resolver, d)));
  const merged: PolicyStatement[] = [...statementsOf(config.source_policy_documents)];
  const put = (statement: PolicyStatement) => {
    const same = statement.Sid ? merged.findIndex((s) => s.Sid === statement.Sid) : -1;
    if (same >= 0) merged[same] = statement;
    else merged.push(statement);
  };
  for (const block of nestedBlocks(config.statement)) put(documentStatement(block, resolver));
  for (const statement of statementsOf(config.override_policy_documents)) put(statement);
  return { Version: "2012-10-17", Statement: merged };
}

const statementList = (document: PolicyDocument): readonly PolicyStatement[] =>
  Array.isArray(document.Statement)
    ? (document.Statement as readonly PolicyStatement[])
    : [document.Statement as PolicyStatement];

/** A `policy` attribute's document: a data source's `.json`, or JSON text with references resolved. */
export function policyDocumentOf(resolver: TerraformResolver, value: unknown): PolicyDocument {
  const ref = referenceOf(value);
  if (ref?.data && ref.type === "aws_iam_policy_document" && ref.attribute === "json") {
    return dataDocument(resolver, ref.name);
  }
  return JSON.parse(resolver.resolveString(String(value))) as PolicyDocument;
}

/** Does `value` (a role's `name`/`id`/`arn` reference) name the role `roleName` of the stack? */
const namesRole = (value: unknown, roleName: string) => {
  const ref = referenceOf(value);
  return ref?.type === "aws_iam_role" && ref.name === roleName;
};

/** The policies of `aws_iam_role.<role>`, and what could not be read. */
function rolePolicies(
  resolver: TerraformResolver,
  role: string,
): { policies: NamedPolicy[]; warnings: string[] } {
  const policies: NamedPolicy[] = [];
  const warnings: string[] = [];
  const roleConfig = resolver.config("aws_iam_role", role);
  for (const [index, inline] of nestedBlocks(roleConfig.inline_policy).entries()) {
    if (inline.policy === undefined) continue;
    const source = `aws_iam_role.${role}.inline_policy[${index}]`;
    policies.push({ source, document: policyDocumentOf(resolver, inline.policy) });
  }
  for (const [name, config] of resolver.resources("aws_iam_role_policy")) {
    if (!namesRole(config.role, role)) continue;
    policies.push({
      source: `aws_iam_role_policy.${name}`,
      document: policyDocumentOf(resolver, config.policy),
    });
  }
  const attached = [
    ...resolver
      .resources("aws_iam_role_policy_attachment")
      .filter(([, config]) => namesRole(config.role, role))
      .map(([, config]) => config.policy_arn),
    ...(strings(roleConfig.managed_policy_arns) ?? []),
  ];
  for (const arn of attached) {
    const ref = referenceOf(arn);
    if (ref?.type === "aws_iam_policy" && !ref.data) {
      const policy = resolver.config("aws_iam_policy", ref.name);
      policies.push({
        source: `aws_iam_policy.${ref.name}`,
        document: policyDocumentOf(resolver, policy.policy),
      });
    } else {
      warnings.push(
        `aws_iam_role.${role}: ${String(arn)} is not declared in the stack; locally it grants nothing`,
      );
    }
  }
  return { policies, warnings };
}

/** Every `aws_lambda_function` of the stack with its role and that role's policies. */
export function functionIdentities(resolver: TerraformResolver): FunctionIdentity[] {
  return resolver.resources("aws_lambda_function").map(([name, config]) => {
    const functionName = resolver.attribute("aws_lambda_function", name, "function_name");
    const address = `aws_lambda_function.${name}`;
    const ref = referenceOf(config.role);
    const declared =
      ref?.type === "aws_iam_role" && resolver.resources("aws_iam_role").some(([n]) => n === ref.name);
    if (!ref || !declared) {
      const roleName =
        ref?.name ?? /:role\/(?:.*\/)?([^/]+)$/.exec(String(config.role ?? ""))?.[1] ?? "unknown";
      const warning = `${address}: its role is not declared in the stack; locally the function is allowed nothing`;
      return {
        functionName,
        address,
        roleName,
        principalArn: principal(resolver, roleName, functionName),
        policies: [],
        warnings: [warning],
      };
    }
    const roleName = resolver.attribute("aws_iam_role", ref.name, "name");
    const { policies, warnings } = rolePolicies(resolver, ref.name);
    return {
      functionName,
      address,
      roleName,
      principalArn: principal(resolver, roleName, functionName),
      policies,
      warnings,
    };
  });
}

const principal = (resolver: TerraformResolver, roleName: string, functionName: string) =>
  `arn:aws:sts::${resolver.accountId}:assumed-role/${roleName}/${functionName}`;
