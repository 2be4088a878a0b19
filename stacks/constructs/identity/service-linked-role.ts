import { DataAwsIamRole } from '@cdktf/provider-aws/lib/data-aws-iam-role';
import { IamServiceLinkedRole } from '@cdktf/provider-aws/lib/iam-service-linked-role';
import type { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { SERVICE_LINKED_ROLES, type ServiceLinkedRoleService } from '../../../src/model/service-linked-roles';

export interface ServiceLinkedRoleProps {
  readonly service: ServiceLinkedRoleService;
  /** The account has the role already: it is looked up (the plan fails if it is missing) instead of created. */
  readonly exists: boolean;
}

/**
 * A service's default service-linked role, created (fresh account) or found (`exists`), for the
 * resources whose policies name it to depend on.
 */
export class ServiceLinkedRole extends Construct {
  /** What a resource naming the role must be created after. */
  readonly dependable: ITerraformDependable;

  constructor(scope: Construct, id: string, props: ServiceLinkedRoleProps) {
    super(scope, id);
    this.dependable = props.exists
      ? new DataAwsIamRole(this, 'existing', { name: SERVICE_LINKED_ROLES[props.service] })
      : new IamServiceLinkedRole(this, 'role', { awsServiceName: props.service });
  }
}
