import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * The project's cache folder, shared by everything that caches across runs (Terraform's plugins and
 * schemas under `terraform/`, Lambda bundles under `bundles/`): `MOVIES_CDKTF_CACHE`, else
 * `$XDG_CACHE_HOME/movies-cdktf`, else `~/.cache/movies-cdktf`.
 */
export function cacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  if (env.MOVIES_CDKTF_CACHE) return env.MOVIES_CDKTF_CACHE;
  const base = env.XDG_CACHE_HOME || join(env.HOME || tmpdir(), ".cache");
  return join(base, "movies-cdktf");
}
