import { ungrantedUsage } from "./local-aws";

// Real services on a 2-core machine: allow for a slow JVM and cold function processes.
jest.setTimeout(60_000);

// Least privilege, for every test file: each request a function sent must be one its policy allows.
afterAll(() => {
  expect(ungrantedUsage()).toEqual([]);
});
