import { DataAwsCallerIdentity } from '@cdktf/provider-aws/lib/data-aws-caller-identity';
import { DataAwsIamSessionContext } from '@cdktf/provider-aws/lib/data-aws-iam-session-context';
import { Construct } from 'constructs';
import { clusterAdminAccess } from '../iam/cluster-access';

export interface ApplierAccessProps {
  readonly clusterName: string;
  readonly partition: string;
}

/**
 * Cluster-admin access for whoever applies the platform stack without Terraform Cloud. The cluster
 * runs in API authentication mode without creator-admin, so otherwise nobody could reach the
 * Kubernetes API to apply the cluster and tenant stacks. The caller is usually an assumed-role
 * session (SSO, a CI role), which EKS does not accept as a principal: the session context gives
 * the role behind it. Other operators belong in `eks.adminPrincipalArns`.
 */
export class ApplierAccess extends Construct {
  constructor(scope: Construct, id: string, props: ApplierAccessProps) {
    super(scope, id);
    const caller = new DataAwsCallerIdentity(this, 'caller');
    const session = new DataAwsIamSessionContext(this, 'session', { arn: caller.arn });
    clusterAdminAccess(this, 'applier', { clusterName: props.clusterName, principalArn: session.issuerArn, partition: props.partition });
  }
}
