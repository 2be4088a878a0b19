import { EksCluster } from '@cdktf/provider-aws/lib/eks-cluster';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { Fn, Testing, TerraformStack } from 'cdktf';
import { IrsaRole, type IrsaRoleProps } from '../../stacks/constructs/identity/irsa-role';
import { SynthJson } from '../util';

const PROVIDER_ARN = 'arn:aws:iam::111122223333:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABC';
const ISSUER = 'oidc.eks.eu-west-1.amazonaws.com/id/ABC';
const BUCKET = 'arn:aws:s3:::acme-prod-uploads';

function synth(props: Partial<IrsaRoleProps> = {}) {
  const stack = new TerraformStack(Testing.app(), 'test');
  new AwsProvider(stack, 'aws', { region: 'eu-west-1' });
  new IrsaRole(stack, 'role', {
    roleName: 'acme-prod-uploader',
    oidcProviderArn: PROVIDER_ARN,
    oidcIssuer: ISSUER,
    namespace: 'tenant-acme',
    serviceAccount: 'app',
    ...props,
  });
  return SynthJson.parse(Testing.synth(stack));
}

describe('IrsaRole: trust', () => {
  const json = synth({ statements: [{ Effect: 'Allow', Action: ['s3:GetObject'], Resource: [`${BUCKET}/*`] }] });
  const role = json.one('aws_iam_role');

  test('is assumable only with a web identity token of exactly that namespace and service account, for STS', () => {
    expect(role.name).toBe('acme-prod-uploader');
    expect(JSON.parse(role.assume_role_policy)).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { Federated: PROVIDER_ARN },
          Action: 'sts:AssumeRoleWithWebIdentity',
          Condition: {
            StringEquals: {
              [`${ISSUER}:sub`]: 'system:serviceaccount:tenant-acme:app',
              [`${ISSUER}:aud`]: 'sts.amazonaws.com',
            },
          },
        },
      ],
    });
    expect(role.assume_role_policy).not.toContain('StringLike');
  });

  test("interpolates a token issuer (the cluster's) into the condition keys", () => {
    const stack = new TerraformStack(Testing.app(), 'test');
    new AwsProvider(stack, 'aws', { region: 'eu-west-1' });
    const cluster = new EksCluster(stack, 'eks', {
      name: 'acme-prod',
      roleArn: 'arn:aws:iam::111122223333:role/x',
      vpcConfig: { subnetIds: ['subnet-a'] },
    });
    const issuer = Fn.replace(cluster.identity.get(0).oidc.get(0).issuer, 'https://', '');
    new IrsaRole(stack, 'role', {
      roleName: 'r',
      oidcProviderArn: PROVIDER_ARN,
      oidcIssuer: issuer,
      namespace: 'kube-system',
      serviceAccount: 'aws-node',
    });
    const trust = SynthJson.parse(Testing.synth(stack)).one('aws_iam_role').assume_role_policy;
    const expr = '${replace(aws_eks_cluster.eks.identity[0].oidc[0].issuer, "https://", "")}';
    // Terraform evaluates the interpolation; what it yields is the document with the real issuer.
    expect(trust.split(expr)).toHaveLength(3);
    const evaluated = JSON.parse(trust.split(expr).join(ISSUER));
    expect(evaluated.Statement[0].Condition.StringEquals).toEqual({
      [`${ISSUER}:sub`]: 'system:serviceaccount:kube-system:aws-node',
      [`${ISSUER}:aud`]: 'sts.amazonaws.com',
    });
  });
});

describe('IrsaRole: permissions', () => {
  const json = synth({
    statements: [
      { Sid: 'ReadUploads', Effect: 'Allow', Action: ['s3:GetObject'], Resource: [`${BUCKET}/*`] },
      { Effect: 'Allow', Action: ['s3:ListBucket'], Resource: [BUCKET], Condition: { StringLike: { 's3:prefix': ['acme/*'] } } },
    ],
    managedPolicyArns: ['arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy', 'arn:aws:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy'],
  });
  const roleId = json.idOf('aws_iam_role');

  test('puts the statements, as given, in one inline policy', () => {
    const policy = json.one('aws_iam_role_policy');
    expect(policy).toMatchObject({ name: 'acme-prod-uploader', role: `\${aws_iam_role.${roleId}.name}` });
    expect(JSON.parse(policy.policy)).toEqual({
      Version: '2012-10-17',
      Statement: [
        { Sid: 'ReadUploads', Effect: 'Allow', Action: ['s3:GetObject'], Resource: [`${BUCKET}/*`] },
        { Effect: 'Allow', Action: ['s3:ListBucket'], Resource: [BUCKET], Condition: { StringLike: { 's3:prefix': ['acme/*'] } } },
      ],
    });
  });

  test('attaches each managed policy', () => {
    const attachments = Object.values(json.resources('aws_iam_role_policy_attachment'));
    expect(attachments.map((a) => a.policy_arn)).toEqual([
      'arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy',
      'arn:aws:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy',
    ]);
    for (const a of attachments) expect(a.role).toBe(`\${aws_iam_role.${roleId}.name}`);
  });

  test('creates no inline policy when there are no statements', () => {
    const bare = synth({ managedPolicyArns: ['arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy'] });
    expect(bare.resources('aws_iam_role_policy')).toEqual({});
    expect(Object.keys(bare.resources('aws_iam_role_policy_attachment'))).toHaveLength(1);
  });
});

describe('IrsaRole: validation', () => {
  const make = (props: Partial<IrsaRoleProps>) => () =>
    new IrsaRole(new TerraformStack(Testing.app(), 'test'), 'role', {
      roleName: 'r',
      oidcProviderArn: PROVIDER_ARN,
      oidcIssuer: ISSUER,
      namespace: 'ns',
      serviceAccount: 'sa',
      ...props,
    });

  test('rejects wildcard actions, naming them', () => {
    expect(make({ statements: [{ Sid: 'Bad', Effect: 'Allow', Action: ['s3:GetObject', 's3:*'], Resource: [BUCKET] }] })).toThrow(
      'IRSA role r, statement Bad: actions s3:* contain "*"',
    );
    expect(make({ statements: [{ Effect: 'Allow', Action: 's3:Get*', Resource: [BUCKET] }] })).toThrow(/statement #0: actions s3:Get\* contain "\*"/);
    expect(make({ statements: [{ Effect: 'Allow', Action: '*', Resource: '*' }] })).toThrow(/contain "\*"/);
    expect(make({ statements: [{ Effect: 'Allow', NotAction: ['s3:DeleteObject'], Resource: [BUCKET] }] })).toThrow(
      'IRSA role r, statement #0: NotAction grants every other action: list the exact actions in Action',
    );
  });

  test('rejects an issuer with https:// (IAM condition keys use the bare issuer)', () => {
    expect(make({ oidcIssuer: `https://${ISSUER}` })).toThrow(/must not start with https:\/\//);
  });

  test('rejects statements without actions or resources, and a principal (an identity policy has none)', () => {
    expect(make({ statements: [{ Effect: 'Allow', Action: [], Resource: [BUCKET] }] })).toThrow(/at least one action and one resource/);
    expect(make({ statements: [{ Effect: 'Allow', Action: ['s3:GetObject'] }] })).toThrow(/at least one action and one resource/);
    expect(make({ statements: [{ Sid: 'P', Effect: 'Allow', Principal: '*', Action: ['s3:GetObject'], Resource: [BUCKET] }] })).toThrow(
      'IRSA role r, statement P: an identity policy names no Principal: remove it',
    );
  });
});
