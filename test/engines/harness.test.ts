/** The engines harness's own logic: the AWS-only cut terraform validates, and checkov suppressions. */
import { awsOnly, DanglingReferenceError, SIX_X_ONLY_ATTRIBUTES } from './aws-only';
import { resourceAddress, suppressionFor, type CheckovFinding } from './checkov';
import { CHECKOV_SUPPRESSIONS } from './checkov-suppressions';
import type { Stack } from './fixtures';

/** A stack as cdktf writes it: AWS and Kubernetes blocks side by side. */
function stack(extra: Record<string, any> = {}): Record<string, any> {
  return {
    '//': { metadata: { stackName: 'tenant-acme' } },
    terraform: {
      backend: { local: { path: 'state.tfstate' } },
      required_providers: { aws: { source: 'aws', version: '6.25.0' }, kubernetes: { source: 'kubernetes', version: '2.38.0' } },
    },
    provider: { aws: [{ region: 'eu-west-1' }], kubernetes: [{ host: '${data.aws_eks_cluster.cluster.endpoint}' }] },
    data: { aws_eks_cluster: { cluster: { name: 'acme-prod' } } },
    resource: {
      aws_iam_role: { role: { name: 'acme-prod-tenant-acme', assume_role_policy: '{}', depends_on: ['kubernetes_namespace_v1.ns'] } },
      aws_eks_cluster: { eks: { name: 'acme-prod', deletion_protection: true, role_arn: 'arn:aws:iam::111122223333:role/eks' } },
      kubernetes_namespace_v1: { ns: { metadata: { name: 'tenant-acme' } } },
    },
    output: { role: { value: '${aws_iam_role.role.arn}' }, namespace: { value: '${kubernetes_namespace_v1.ns.metadata[0].name}' } },
    ...extra,
  };
}

describe('GIVEN a stack with AWS and Kubernetes blocks', () => {
  const result = awsOnly(stack(), '5.100.0');

  test('THEN only AWS resources, data sources and provider blocks are kept, with the mirror version and no backend', () => {
    expect(Object.keys(result.config.resource)).toEqual(['aws_iam_role', 'aws_eks_cluster']);
    expect(Object.keys(result.config.data)).toEqual(['aws_eks_cluster']);
    expect(result.config.provider).toEqual({ aws: [{ region: 'eu-west-1' }] });
    expect(result.config.terraform).toEqual({ required_providers: { aws: { source: 'hashicorp/aws', version: '5.100.0' } } });
    expect(result.removed).toEqual({ addresses: ['kubernetes_namespace_v1.ns'], providers: { kubernetes: 1 } });
  });

  test('THEN 6.x-only attributes are stripped and named', () => {
    expect(result.config.resource.aws_eks_cluster.eks).not.toHaveProperty('deletion_protection');
    expect(result.stripped).toEqual(['aws_eks_cluster.eks.deletion_protection']);
    for (const a of SIX_X_ONLY_ATTRIBUTES) expect(a.reason.length).toBeGreaterThan(20);
  });

  test('THEN a depends_on entry naming a removed object is dropped and reported, never the block', () => {
    expect(result.config.resource.aws_iam_role.role).not.toHaveProperty('depends_on');
    expect(result.droppedDependsOn).toEqual(['aws_iam_role.role depends_on kubernetes_namespace_v1.ns']);
  });

  test('THEN an output of a removed object is dropped and reported; the others stay', () => {
    expect(result.config.output).toEqual({ role: { value: '${aws_iam_role.role.arn}' } });
    expect(result.droppedOutputs).toEqual(['output.namespace']);
  });

  test('THEN the input stack is not changed', () => {
    const input = stack();
    awsOnly(input, '5.100.0');
    expect(input.resource.aws_eks_cluster.eks.deletion_protection).toBe(true);
  });
});

describe('GIVEN an AWS block that refers to a removed object', () => {
  test.each([
    ['an attribute', { tags: { ns: '${kubernetes_namespace_v1.ns.metadata[0].name}' } }],
    ['a function call', { tags: { ns: '${upper(kubernetes_namespace_v1.ns.id)}' } }],
    ['a for_each', { for_each: '${toset([kubernetes_namespace_v1.ns.id])}' }],
  ])('THEN a reference in %s is an error that names both', (_, attributes) => {
    const s = stack();
    Object.assign(s.resource.aws_iam_role.role, attributes);
    expect(() => awsOnly(s, '5.100.0')).toThrow(DanglingReferenceError);
    expect(() => awsOnly(s, '5.100.0')).toThrow('aws_iam_role.role refers to kubernetes_namespace_v1.ns');
  });

  test('THEN a data source of the same name, or a longer name, is not taken for it', () => {
    const s = stack();
    s.resource.aws_iam_role.role.tags = { a: '${data.kubernetes_namespace_v1.ns.id}', b: '${kubernetes_namespace_v1.ns-2.id}' };
    expect(() => awsOnly(s, '5.100.0')).not.toThrow();
  });
});

describe('GIVEN an AWS block that carries a value of another provider, as accepted', () => {
  const accepted = [
    { from: 'aws_secretsmanager_secret_version.token_*', to: 'tfe_agent_token.*.token', reason: 'the secret hands the agent token over' },
  ];
  const withSecret = () =>
    stack({
      provider: { aws: [{ region: 'eu-west-1' }], tfe: [{}] },
      resource: {
        tfe_agent_token: { pool: { description: 'agents' } },
        aws_secretsmanager_secret_version: { token_1: { secret_id: 'x', secret_string: '${tfe_agent_token.pool.token}' } },
      },
      output: {},
    });

  test('THEN the reference is replaced by a declared string input and reported', () => {
    const result = awsOnly(withSecret(), '5.100.0', SIX_X_ONLY_ATTRIBUTES, accepted);
    expect(result.config.resource.aws_secretsmanager_secret_version.token_1.secret_string).toBe('${var.stand_in__tfe_agent_token_pool_token}');
    expect(result.config.variable.stand_in__tfe_agent_token_pool_token).toMatchObject({ type: 'string' });
    expect(result.standIns).toEqual([
      {
        block: 'aws_secretsmanager_secret_version.token_1',
        value: 'tfe_agent_token.pool.token',
        variable: 'stand_in__tfe_agent_token_pool_token',
        accepted: accepted[0],
      },
    ]);
  });

  test('THEN without an accepting entry the same reference is an error', () => {
    expect(() => awsOnly(withSecret(), '5.100.0', SIX_X_ONLY_ATTRIBUTES, [])).toThrow(
      'aws_secretsmanager_secret_version.token_1 refers to tfe_agent_token.pool',
    );
  });

  test('THEN an entry accepts only the attribute it names', () => {
    const s = withSecret();
    s.resource.aws_secretsmanager_secret_version.token_1.secret_string = '${tfe_agent_token.pool.id}';
    expect(() => awsOnly(s, '5.100.0', SIX_X_ONLY_ATTRIBUTES, accepted)).toThrow(DanglingReferenceError);
  });
});

describe('GIVEN checkov findings', () => {
  const json = stack({
    resource: {
      aws_lb_listener: { edge_http_71D8DA80: { port: 80 } },
      aws_lb: { edge_alb_C6312A24: {} },
    },
  });
  const platform = { id: 'default/platform', name: 'platform', dir: '/x', json } as Stack;
  const finding = (check: string, resource: string, on: Stack = platform): CheckovFinding => ({ stack: on, check, name: check, resource });

  test('THEN the `resource.<name>` checkov writes for Terraform JSON is given its type', () => {
    expect(resourceAddress(json, 'resource.edge_http_71D8DA80')).toBe('aws_lb_listener.edge_http_71D8DA80');
    expect(resourceAddress(json, 'aws_lb.edge_alb_C6312A24')).toBe('aws_lb.edge_alb_C6312A24');
    expect(() => resourceAddress(json, 'resource.missing')).toThrow('no such resource');
  });

  test('THEN a suppression applies only to its check, stack, resource pattern and condition', () => {
    expect(suppressionFor(finding('CKV_AWS_2', 'aws_lb_listener.edge_http_71D8DA80'))?.check).toBe('CKV_AWS_2');
    expect(suppressionFor(finding('CKV_AWS_24', 'aws_lb_listener.edge_http_71D8DA80'))).toBeUndefined();
    expect(suppressionFor(finding('CKV_AWS_2', 'aws_lb_listener.edge_https_1'))).toBeUndefined();
    expect(suppressionFor(finding('CKV_AWS_2', 'aws_lb_listener.edge_http_71D8DA80', { ...platform, name: 'tenant-acme' }))).toBeUndefined();
    // With a domain the HTTP listener only redirects: a finding there is not accepted.
    const withDomain = { ...platform, json: { ...json, resource: { ...json.resource, aws_acm_certificate: { cert: {} } } } };
    expect(suppressionFor(finding('CKV_AWS_2', 'aws_lb_listener.edge_http_71D8DA80', withDomain))).toBeUndefined();
  });

  test('THEN every suppression names a check and gives a reason', () => {
    for (const s of CHECKOV_SUPPRESSIONS) {
      expect(s.check).toMatch(/^CKV2?_AWS_\d+$/);
      expect(s.reason.length).toBeGreaterThan(40);
    }
  });
});
