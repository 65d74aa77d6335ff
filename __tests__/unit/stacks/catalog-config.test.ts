import {
  catalogProblems,
  catalogWarnings,
  loadCatalogConfig,
  validateCatalogConfig,
  type CatalogConfig,
} from "../../../stacks/catalog-config";
import { loadConfig, loadDeveloperConfig } from "../../../stacks/config";
import { ConfigError } from "../../../stacks/validate";

const DIGEST = `sha256:${"0f".repeat(32)}`;

describe("loadCatalogConfig", () => {
  it("dev and developer stages create their own VPC; staging and prod use the platform VPC, unset until the team sets it", () => {
    expect(loadCatalogConfig(loadConfig("dev", {}), {})).toEqual({
      network: { mode: "create", cidrBlock: "10.40.0.0/16" },
      cpu: 256,
      memory: 512,
      desiredCount: 1,
    });
    expect(loadCatalogConfig(loadDeveloperConfig("alice", {}), {}).network.mode).toBe("create");
    expect(loadCatalogConfig(loadConfig("prod", {}), {})).toEqual({
      network: { mode: "existing" },
      cpu: 512,
      memory: 1024,
      desiredCount: 2,
    });
  });

  it("takes the image digest from MOVIES_CATALOG_IMAGE_DIGEST, and refuses one that is not a sha256 digest", () => {
    expect(
      loadCatalogConfig(loadConfig("dev", {}), { MOVIES_CATALOG_IMAGE_DIGEST: DIGEST }).imageDigest,
    ).toBe(DIGEST);
    expect(() => loadCatalogConfig(loadConfig("dev", {}), { MOVIES_CATALOG_IMAGE_DIGEST: "latest" })).toThrow(
      new ConfigError([
        'dev.catalog.imageDigest: must be an image digest like sha256:<64 hex digits>, got "latest"',
      ]),
    );
  });
});

describe("validateCatalogConfig", () => {
  const base: CatalogConfig = {
    network: { mode: "create", cidrBlock: "10.40.0.0/16" },
    cpu: 256,
    memory: 512,
    desiredCount: 1,
  };

  it("names every invalid key: Fargate sizes, the count, ids, and a created VPC outside development", () => {
    expect(
      validateCatalogConfig("prod", {
        ...base,
        cpu: 256,
        memory: 4096,
        desiredCount: -1,
      }),
    ).toEqual([
      "prod.catalog.memory: must be one of the memory sizes of 256 CPU units (512, 1024, 2048), got 4096",
      "prod.catalog.desiredCount: must be an integer from 0 to 100, got -1",
      'prod.catalog.network.mode: "create" is for development only; prod runs in an existing VPC',
    ]);
    expect(
      validateCatalogConfig("staging", {
        ...base,
        network: { mode: "existing", vpcId: "vpc-1", privateSubnetIds: ["subnet-0123456789abcdef0", "sn-2"] },
      }),
    ).toEqual([
      'staging.catalog.network.vpcId: must be a VPC id like vpc-0123456789abcdef0, got "vpc-1"',
      'staging.catalog.network.privateSubnetIds[1]: must be a subnet id like subnet-0123456789abcdef0, got "sn-2"',
    ]);
  });
});

describe("catalogProblems and catalogWarnings", () => {
  it("an existing network without a VPC id and two subnets cannot be deployed; a complete one can", () => {
    const unset: CatalogConfig = { network: { mode: "existing" }, cpu: 256, memory: 512, desiredCount: 2 };
    expect(catalogProblems("staging", unset)).toHaveLength(2);
    expect(
      catalogProblems("staging", {
        ...unset,
        network: {
          mode: "existing",
          vpcId: "vpc-0123456789abcdef0",
          privateSubnetIds: ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"],
        },
      }),
    ).toEqual([]);
  });

  it("says when no image is given (the service then runs no task), and nothing once one is", () => {
    const config: CatalogConfig = {
      network: { mode: "create", cidrBlock: "10.40.0.0/16" },
      cpu: 256,
      memory: 512,
      desiredCount: 1,
    };
    expect(catalogWarnings("dev", config)).toEqual([
      expect.stringContaining("MOVIES_CATALOG_IMAGE_DIGEST is unset"),
    ]);
    expect(catalogWarnings("dev", { ...config, imageDigest: DIGEST })).toEqual([]);
  });
});
