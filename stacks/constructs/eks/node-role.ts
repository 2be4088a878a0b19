import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import type { Construct } from 'constructs';
import { awsManagedPolicyArn } from '../iam/arns';
import { NODE_ROLE_POLICIES } from '../../../src/model/node-pools';
import { servicePrincipalTrust } from '../iam/documents';

export interface NodeRoleProps {
  readonly name: string;
  readonly description: string;
  readonly partition: string;
  /** Construct id of the role, in `scope`. */
  readonly id: string;
  /** Prefix of the construct ids of its policy attachments (`<prefix><policy>`). */
  readonly attachmentIdPrefix: string;
}

/**
 * The IAM role of one pool's managed nodes. Each pool has its own, so the identity a kubelet
 * authenticates with says which pool it belongs to (NodeIdentityAdmission). EKS creates the
 * role's EC2_LINUX access entry itself when a managed node group first uses it (API
 * authentication mode), so none is declared here. Resources are created directly in `scope`
 * under the given ids, so a role that predates this helper keeps its Terraform address.
 */
export function nodeRole(scope: Construct, props: NodeRoleProps): { role: IamRole; attachments: IamRolePolicyAttachment[] } {
  const role = new IamRole(scope, props.id, {
    name: props.name,
    description: props.description,
    assumeRolePolicy: servicePrincipalTrust('ec2.amazonaws.com'),
  });
  const attachments = NODE_ROLE_POLICIES.map(
    (policy) =>
      new IamRolePolicyAttachment(scope, `${props.attachmentIdPrefix}${policy}`, {
        role: role.name,
        policyArn: awsManagedPolicyArn(props.partition, policy),
      }),
  );
  return { role, attachments };
}
