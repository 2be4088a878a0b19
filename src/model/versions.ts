/** An exact `major.minor.patch` version, as tenantctl pins charts, Terraform and its own tools: no range, no tag. */
export const EXACT_VERSION = /^\d+\.\d+\.\d+$/;
