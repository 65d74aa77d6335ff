import { Construct } from "constructs";
import type { TerraformElement } from "cdktf";
import { tfName } from "./naming";

/**
 * Gives `element` the Terraform name `name` in cdk.tf.json (`aws_iam_role.<name>`), instead of the
 * path-derived one, and returns it. The one place our constructs decide an address.
 */
export function withAddress<T extends TerraformElement>(element: T, name: string): T {
  element.overrideLogicalId(name);
  return element;
}

/**
 * A construct whose Terraform addresses derive from its id, in snake_case (STYLE 11): the id
 * `getMovieLambda` or `get_movie_lambda` gives {@link terraformName} `get_movie_lambda`, its main resource
 * `aws_lambda_function.get_movie_lambda` and the others `aws_iam_role.get_movie_lambda_role`, and so on.
 * A construct wrapping one provider resource exposes it as `public readonly resource` (`table.resource`,
 * `fn.resource`, `bus.resource`), so callers reach the escape hatch by the same name everywhere.
 */
export abstract class ResourceConstruct extends Construct {
  /** The snake_case name every address of this construct derives from. */
  readonly terraformName: string;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.terraformName = tfName(id);
  }

  /**
   * Names `element` `<terraformName>_<suffix>`, or `<terraformName>` without a suffix (the construct's
   * main resource); returns it.
   */
  protected address<T extends TerraformElement>(element: T, suffix?: string): T {
    return withAddress(
      element,
      suffix === undefined ? this.terraformName : `${this.terraformName}_${suffix}`,
    );
  }
}
