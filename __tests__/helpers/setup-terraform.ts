// Real Terraform on a 2-core machine: a plan of a whole stack takes 5-15 s, a review several plans.
jest.setTimeout(600_000);
