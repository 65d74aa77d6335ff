// Real services on a 2-core machine: allow for a slow JVM and cold function processes.
jest.setTimeout(60_000);
