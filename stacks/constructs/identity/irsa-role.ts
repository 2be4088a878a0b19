import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import type { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { policyDocument, webIdentityTrust, type PolicyStatement } from '../iam/documents';

export interface IrsaRoleProps {
  readonly roleName: string;
  readonly oidcProviderArn: string;
  /** The cluster's OIDC issuer without `https://` (`oidc.eks.<region>.amazonaws.com/id/<id>`). */
  readonly oidcIssuer: string;
  readonly namespace: string;
  readonly serviceAccount: string;
  /**
   * Inline policy of the role: concrete actions (`Action`, no `*` anywhere: least privilege,
   * checked) on named resources, without `Principal` (an identity policy has none).
   * @default - no inline policy
   */
  readonly statements?: readonly PolicyStatement[];
  /**
   * Managed policies attached to the role.
   * @default - none
   */
  readonly managedPolicyArns?: string[];
  /**
   * ARN of the policy that bounds what the role may ever do, whatever its policies grant.
   * @default - no permissions boundary
   */
  readonly permissionsBoundary?: string;
  /**
   * Tags of the role besides the provider's default tags.
   * @default - none
   */
  readonly tags?: Record<string, string>;
}

/**
 * An IAM role for one Kubernetes service account (IRSA): only tokens the cluster's OIDC issuer
 * signed for exactly `system:serviceaccount:<namespace>:<serviceAccount>` with audience
 * `sts.amazonaws.com` can assume it.
 */
export class IrsaRole extends Construct {
  readonly role: IamRole;
  readonly arn: string;
  readonly name: string;
  /** The role's policy and attachments: depend on these before the workload first calls AWS. */
  readonly permissions: ITerraformDependable[] = [];

  constructor(scope: Construct, id: string, props: IrsaRoleProps) {
    super(scope, id);
    validate(props);
    const { oidcIssuer } = props;
    this.role = new IamRole(this, 'role', {
      name: props.roleName,
      description: `IRSA role of service account ${props.namespace}/${props.serviceAccount}`,
      assumeRolePolicy: webIdentityTrust(props.oidcProviderArn, {
        StringEquals: {
          [`${oidcIssuer}:sub`]: `system:serviceaccount:${props.namespace}:${props.serviceAccount}`,
          [`${oidcIssuer}:aud`]: 'sts.amazonaws.com',
        },
      }),
      permissionsBoundary: props.permissionsBoundary,
      tags: props.tags,
    });
    this.arn = this.role.arn;
    this.name = this.role.name;

    const statements = props.statements ?? [];
    if (statements.length > 0) {
      const policy = new IamRolePolicy(this, 'policy', {
        name: props.roleName,
        role: this.role.name,
        policy: policyDocument(statements),
      });
      this.permissions.push(policy);
    }
    (props.managedPolicyArns ?? []).forEach((policyArn, i) =>
      this.permissions.push(new IamRolePolicyAttachment(this, `managed-policy-${i}`, { role: this.role.name, policyArn })),
    );
  }
}

function validate(props: IrsaRoleProps): void {
  if (props.oidcIssuer.startsWith('https://')) {
    throw new Error(
      `IRSA role ${props.roleName}: oidcIssuer ${props.oidcIssuer} must not start with https:// (IAM condition keys use the bare issuer host/path)`,
    );
  }
  (props.statements ?? []).forEach((s, i) => {
    const label = s.Sid ?? `#${i}`;
    const actions = [s.Action ?? []].flat();
    const resources = [s.Resource ?? []].flat();
    const wild = actions.filter((a) => a.includes('*'));
    if (wild.length > 0) {
      throw new Error(
        `IRSA role ${props.roleName}, statement ${label}: actions ${wild.join(', ')} contain "*": list the exact actions the workload needs`,
      );
    }
    if (s.NotAction) {
      throw new Error(`IRSA role ${props.roleName}, statement ${label}: NotAction grants every other action: list the exact actions in Action`);
    }
    if (actions.length === 0 || resources.length === 0) {
      throw new Error(`IRSA role ${props.roleName}, statement ${label}: needs at least one action and one resource`);
    }
    if (s.Principal) {
      throw new Error(`IRSA role ${props.roleName}, statement ${label}: an identity policy names no Principal: remove it`);
    }
  });
}
