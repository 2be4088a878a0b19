/** Label of every object tenantctl creates for a tenant, and of its namespace: the tenant id. */
export const TENANT_LABEL = 'tenantctl.io/tenant';

/** Label of a tenant namespace (and of the tier PriorityClasses): the tier name. */
export const TIER_LABEL = 'tenantctl.io/tier';
