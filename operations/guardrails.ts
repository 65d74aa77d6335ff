import type { IConstruct } from "constructs";
import {
  AnnotationMetadataEntryType,
  Aspects,
  DefaultTokenResolver,
  StringConcat,
  TerraformDataSource,
  TerraformElement,
  TerraformProvider,
  TerraformResource,
  TerraformStack,
  Tokenization,
  type IAspect,
} from "cdktf";
import {
  evaluateRules,
  GUARDRAIL_RULES,
  type ElementView,
  type GuardrailRule,
  type Violation,
} from "./guardrail-rules";

import { waive, waiversOf, type Waiver } from "../constructs/core/waivers";

export { GUARDRAIL_RULES, type GuardrailRule, type Violation } from "./guardrail-rules";
export type { Waiver } from "../constructs/core/waivers";

const TOKEN_RESOLVER = new DefaultTokenResolver(new StringConcat());

/** The outcome of checking a stack. */
export interface GuardrailsReport {
  readonly violations: readonly Violation[];
  readonly waived: readonly (Violation & { readonly reason: string })[];
}

/**
 * Production guardrails, checked at synth: an Aspect that collects every Terraform block of the stack
 * while visiting it, and a validation on the stack that evaluates the rules (which need the whole stack:
 * "this bucket has a public access block" is a relation between resources) on the resolved
 * configuration. Any violation fails `app.synth()` with one message listing each address, rule and fix.
 *
 * `ServiceStack` applies it to every stack. To set a rule aside for one resource, say why:
 * `Guardrails.waive(bucket, "s3-versioning", "scratch data, rebuilt nightly")`; the reason is reported
 * as an info annotation at every synth, and listed with any failure.
 */
export class Guardrails implements IAspect {
  private readonly elements = new Set<TerraformElement>();
  private stack?: TerraformStack;

  /** Applies the guardrails to `stack` (once, however often it is called). */
  static applyTo(stack: TerraformStack): Guardrails {
    const existing = Aspects.of(stack).all.find((a): a is Guardrails => a instanceof Guardrails);
    if (existing) return existing;
    const guardrails = new Guardrails();
    Aspects.of(stack).add(guardrails);
    return guardrails;
  }

  /** Sets `rule` aside for `scope` and every resource below it. `reason` is required and reported. */
  static waive(scope: IConstruct, rule: GuardrailRule, reason: string): void {
    waive(scope, rule, reason);
  }

  /** The waivers that apply to `construct`: its own and its scopes'. */
  static waiversOf(construct: IConstruct): Waiver[] {
    return waiversOf(construct);
  }

  visit(node: IConstruct): void {
    if (TerraformStack.isStack(node) && this.stack === undefined) {
      this.stack = node;
      node.node.addValidation({ validate: () => this.validate() });
    }
    if (node instanceof TerraformElement) this.elements.add(node);
  }

  /** Evaluates the rules over what was visited. */
  check(): GuardrailsReport {
    const stack = this.stack;
    if (!stack) return { violations: [], waived: [] };
    const byAddress = new Map<string, TerraformElement>();
    const views = [...this.elements].flatMap((element) => {
      const view = toView(stack, element);
      if (view) byAddress.set(view.address, element);
      return view ? [view] : [];
    });
    const violations: Violation[] = [];
    const waived: (Violation & { reason: string })[] = [];
    for (const v of evaluateRules(views)) {
      const element = byAddress.get(v.address);
      const waiver = element && Guardrails.waiversOf(element).find((w) => w.rule === v.rule);
      if (waiver) waived.push({ ...v, reason: waiver.reason });
      else violations.push(v);
    }
    return { violations, waived };
  }

  private validate(): string[] {
    const { violations, waived } = this.check();
    for (const w of waived) {
      const element = [...this.elements].find((e) => addressOf(e) === w.address);
      // An info annotation, without the stack trace Annotations.addInfo would record (machine paths).
      element?.node.addMetadata(AnnotationMetadataEntryType.INFO, `guardrail ${w.rule} waived: ${w.reason}`);
    }
    return violations.length === 0 ? [] : [formatReport(violations, waived)];
  }
}

/** The failure message: one line per violation (address, rule, problem, fix), then the waivers. */
export function formatReport(
  violations: readonly Violation[],
  waived: GuardrailsReport["waived"] = [],
): string {
  const lines = [`Guardrails: ${violations.length} violation${violations.length === 1 ? "" : "s"}`];
  for (const v of violations) {
    lines.push(`  - ${v.address} [${v.rule}] ${v.problem}. Fix: ${GUARDRAIL_RULES[v.rule]}.`);
  }
  if (waived.length > 0) {
    lines.push(`  Waived (${waived.length}):`);
    for (const w of waived) lines.push(`  - ${w.address} [${w.rule}] waived: ${w.reason}`);
  }
  lines.push(`  To set a rule aside for one resource: Guardrails.waive(resource, "<rule>", "<reason>").`);
  return lines.join("\n");
}

function addressOf(element: TerraformElement): string | undefined {
  if (TerraformResource.isTerraformResource(element)) {
    return `${element.terraformResourceType}.${element.friendlyUniqueId}`;
  }
  if (element instanceof TerraformDataSource) {
    return `data.${element.terraformResourceType}.${element.friendlyUniqueId}`;
  }
  if (TerraformProvider.isTerraformProvider(element)) {
    return element.alias
      ? `provider.${element.terraformResourceType}.${element.alias}`
      : `provider.${element.terraformResourceType}`;
  }
  return undefined;
}

/** The block as cdk.tf.json will hold it: overrides applied, tokens resolved to `${...}` references. */
function toView(stack: TerraformStack, element: TerraformElement): ElementView | undefined {
  const address = addressOf(element);
  if (address === undefined) return undefined;
  const json = Tokenization.resolve(element.toTerraform(), {
    scope: stack,
    preparing: false,
    resolver: TOKEN_RESOLVER,
  }) as Record<string, Record<string, unknown>>;
  if (TerraformResource.isTerraformResource(element) || element instanceof TerraformDataSource) {
    const kind = element instanceof TerraformDataSource ? "data" : "resource";
    const type = element.terraformResourceType;
    const config = json[kind]?.[type] as Record<string, Record<string, unknown>> | undefined;
    return {
      address,
      kind,
      type,
      config: config?.[element.friendlyUniqueId] ?? {},
      taggable: kind === "resource" && "tagsInput" in element,
    };
  }
  const provider = element as TerraformProvider;
  const configs = json.provider?.[provider.terraformResourceType];
  const config = Array.isArray(configs) ? (configs[0] as Record<string, unknown>) : {};
  return { address, kind: "provider", type: provider.terraformResourceType, config, taggable: false };
}
