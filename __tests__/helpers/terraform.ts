import { terraformSetup, type TerraformSetup } from "../../review/terraform";

let warned = false;

/**
 * Terraform and the provider for the Terraform checks, or `undefined` on a machine without Terraform,
 * where the checks are skipped with one plain warning. In CI (`CI` set) a missing Terraform fails instead.
 */
export function terraformForTests(): TerraformSetup | undefined {
  try {
    return terraformSetup();
  } catch (error) {
    if (process.env.CI) throw error;
    if (!warned) {
      warned = true;
      console.warn(`The Terraform checks were skipped: ${(error as Error).message}`);
    }
    return undefined;
  }
}
