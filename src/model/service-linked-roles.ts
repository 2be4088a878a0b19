/**
 * Service-linked roles that tenantctl's policies name. AWS creates a service's role the first time
 * the service needs it, but a policy naming the role before then is rejected (KMS answers
 * MalformedPolicyDocumentException), so on a fresh account the platform creates these roles
 * itself, before the policies; `aws.existingServiceLinkedRoles` lists the ones an account already
 * has (creating a role twice fails with "has been taken in this account").
 */
export const SERVICE_LINKED_ROLES = {
  /** Launches the managed node groups' instances: the EBS key policy must let it use the key. */
  'autoscaling.amazonaws.com': 'AWSServiceRoleForAutoScaling',
} as const;
export type ServiceLinkedRoleService = keyof typeof SERVICE_LINKED_ROLES;
export const SERVICE_LINKED_ROLE_SERVICES = Object.keys(SERVICE_LINKED_ROLES) as ServiceLinkedRoleService[];

/** The ARN of a service's default service-linked role in an account. */
export function serviceLinkedRoleArn(partition: string, accountId: string, service: ServiceLinkedRoleService): string {
  return `arn:${partition}:iam::${accountId}:role/aws-service-role/${service}/${SERVICE_LINKED_ROLES[service]}`;
}
