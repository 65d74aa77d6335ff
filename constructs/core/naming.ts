/**
 * Naming rules shared by every construct, so addresses and physical names are decided in one place.
 *
 * Terraform addresses are part of our contract with reviewers: `cdktf diff` output and the synthesized
 * cdk.tf.json must read like hand-written HCL, and renaming a construct id replaces its resources.
 */

/** Converts a construct id (`getMovieLambda`, `get-movie-lambda`, `Get Movie`) to a snake_case Terraform name. */
export function tfName(id: string): string {
  const name = id
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1_$2")
    .replace(/[^A-Za-z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "")
    .toLowerCase();
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) {
    throw new Error(`Cannot derive a Terraform name from construct id "${id}"`);
  }
  return name;
}

/** The physical name of a resource in one environment: `<name>-<environment>` (`movie_infos-dev`). */
export function physicalName(name: string, environment: string): string {
  return `${name}-${environment}`;
}
