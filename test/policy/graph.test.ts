import { DependencyGraph } from '../../src/policy/graph';

describe('DependencyGraph: the order Terraform applies a stack in', () => {
  const graph = new DependencyGraph({
    name: 's',
    json: {
      data: {
        aws_eks_cluster_auth: { auth: { name: '${aws_eks_cluster.cluster.name}' } },
        aws_eks_cluster: { 'by-name': { name: 'acme-prod' } },
      },
      resource: {
        aws_eks_cluster: { cluster: { name: 'acme-prod', role_arn: '${aws_iam_role.cluster-role.arn}' } },
        aws_iam_role: { 'cluster-role': { name: 'acme-prod-cluster' } },
        aws_iam_role_policy: { policy: { role: '${aws_iam_role.cluster-role.name}', policy: '{}' } },
        kubernetes_namespace_v1: {
          ns: { metadata: { name: 'x' }, depends_on: ['aws_eks_cluster.cluster'], '//': { metadata: { path: 'aws_iam_role_policy.policy' } } },
        },
        kubernetes_job_v1: {
          job: {
            metadata: { namespace: '${kubernetes_namespace_v1.ns.metadata[0].name}' },
            spec: { ca: '${base64decode(data.aws_eks_cluster.by-name.certificate_authority[0].data)}' },
          },
        },
      },
    },
  });

  test('GIVEN references inside function calls, depends_on and chains THEN ancestors follow all of them', () => {
    expect([...graph.ancestors('kubernetes_job_v1.job')].sort()).toEqual(
      ['aws_eks_cluster.cluster', 'aws_iam_role.cluster-role', 'data.aws_eks_cluster.by-name', 'kubernetes_namespace_v1.ns'].sort(),
    );
    expect(graph.isAfter('kubernetes_job_v1.job', 'aws_iam_role.cluster-role')).toBe(true);
  });

  test('GIVEN cdktf metadata naming an address THEN it is no dependency', () => {
    expect(graph.isAfter('kubernetes_namespace_v1.ns', 'aws_iam_role_policy.policy')).toBe(false);
  });

  test('GIVEN a value read through a data source THEN resourcesBehind names the resources that data source waits for', () => {
    expect(graph.resourcesBehind('${data.aws_eks_cluster_auth.auth.token}')).toEqual(['aws_eks_cluster.cluster']);
    expect(graph.resourcesBehind('${data.aws_eks_cluster.by-name.endpoint}')).toEqual([]);
  });

  test('GIVEN text that looks like an address of no object of the stack THEN it is not a reference', () => {
    expect(
      graph.referencesIn(['${aws_s3_bucket.elsewhere.arn}', 'kubernetes.io/metadata.name', '${var.tfc_aws_dynamic_credentials.aliases}']),
    ).toEqual([]);
  });
});
