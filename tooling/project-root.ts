import { existsSync } from "node:fs";
import { dirname, join } from "node:path";

/**
 * The folder holding the project's package.json. Infra code runs both from source (jest) and compiled
 * (`dist/infra`), so paths to lambdas/ and dist/ are resolved from here rather than from `__dirname`.
 */
export const projectRoot: string = findProjectRoot(__dirname);

function findProjectRoot(start: string): string {
  let dir = start;
  while (!existsSync(join(dir, "package.json")) || !existsSync(join(dir, "cdktf.json"))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`No project root (package.json + cdktf.json) above ${start}`);
    dir = parent;
  }
  return dir;
}
