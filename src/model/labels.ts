/** Label of every object tenantctl creates for a tenant, and of its namespace: the tenant id. */
export const TENANT_LABEL = 'tenantctl.io/tenant';

/** Label of a tenant namespace (and of the tier PriorityClasses): the tier name. */
export const TIER_LABEL = 'tenantctl.io/tier';

/** AWS default tags naming the platform, environment and stack of every resource (TenantctlStack); `validate --from` reads them. */
export const STACK_TAGS = { platform: 'tenantctl:platform', environment: 'tenantctl:environment', stack: 'tenantctl:stack' } as const;
