import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import type { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { policyDocument, webIdentityTrust } from '../iam/documents';

export interface IrsaPolicyStatement {
  readonly sid?: string;
  /** Concrete IAM actions; no `*` anywhere (least privilege, checked). */
  readonly actions: string[];
  readonly resources: string[];
  readonly conditions?: { test: string; variable: string; values: string[] }[];
}

export interface IrsaRoleProps {
  readonly roleName: string;
  readonly oidcProviderArn: string;
  /** The cluster's OIDC issuer without `https://` (`oidc.eks.<region>.amazonaws.com/id/<id>`). */
  readonly oidcIssuer: string;
  readonly namespace: string;
  readonly serviceAccount: string;
  /**
   * Inline policy of the role.
   * @default - no inline policy
   */
  readonly statements?: IrsaPolicyStatement[];
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
        policy: policyDocument(
          statements.map((s) => ({
            ...(s.sid ? { Sid: s.sid } : {}),
            Effect: 'Allow',
            Action: s.actions,
            Resource: s.resources,
            ...(s.conditions?.length ? { Condition: conditionBlock(s.conditions) } : {}),
          })),
        ),
      });
      this.permissions.push(policy);
    }
    (props.managedPolicyArns ?? []).forEach((policyArn, i) =>
      this.permissions.push(new IamRolePolicyAttachment(this, `managed-policy-${i}`, { role: this.role.name, policyArn })),
    );
  }
}

/** IAM `Condition` from the `{ test, variable, values }` list (validated: each test/variable once). */
function conditionBlock(conditions: NonNullable<IrsaPolicyStatement['conditions']>): Record<string, Record<string, string[]>> {
  const out: Record<string, Record<string, string[]>> = {};
  for (const c of conditions) out[c.test] = { ...out[c.test], [c.variable]: c.values };
  return out;
}

function validate(props: IrsaRoleProps): void {
  if (props.oidcIssuer.startsWith('https://')) {
    throw new Error(
      `IRSA role ${props.roleName}: oidcIssuer ${props.oidcIssuer} must not start with https:// (IAM condition keys use the bare issuer host/path)`,
    );
  }
  (props.statements ?? []).forEach((s, i) => {
    const label = s.sid ?? `#${i}`;
    const wild = s.actions.filter((a) => a.includes('*'));
    if (wild.length > 0) {
      throw new Error(
        `IRSA role ${props.roleName}, statement ${label}: actions ${wild.join(', ')} contain "*": list the exact actions the workload needs`,
      );
    }
    if (s.actions.length === 0 || s.resources.length === 0) {
      throw new Error(`IRSA role ${props.roleName}, statement ${label}: needs at least one action and one resource`);
    }
    const keys = (s.conditions ?? []).map((c) => `${c.test} ${c.variable}`);
    const twice = keys.find((k, j) => keys.indexOf(k) !== j);
    if (twice) {
      // IAM would OR the values of one key; two entries suggest an intended AND, so refuse to guess.
      throw new Error(`IRSA role ${props.roleName}, statement ${label}: condition "${twice}" is given twice: put all its values in one entry`);
    }
  });
}
