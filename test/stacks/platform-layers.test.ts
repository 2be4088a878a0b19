import { Testing } from 'cdktf';
import { resolveTiers } from '../../src/model/tiers';
import { ClusterStack } from '../../stacks/cluster-stack';
import { PlatformStack } from '../../stacks/platform-stack';
import { platformSpec, SynthJson } from '../util';

const tiers = resolveTiers();
const synthPlatform = (overrides = {}) => SynthJson.parse(Testing.synth(new PlatformStack(Testing.app(), { platform: platformSpec(overrides) })));
const synthCluster = (overrides = {}) =>
  SynthJson.parse(Testing.synth(new ClusterStack(Testing.app(), { platform: platformSpec(overrides), tiers })));
const dataRef = (json: SynthJson, type: string) => {
  const ids = Object.keys(json.data(type));
  if (ids.length !== 1) throw new Error(`expected one data ${type}, found ${ids.length}`);
  return `data.${type}.${ids[0]}`;
};

describe('GIVEN a default project (no Terraform Cloud)', () => {
  describe('WHEN the platform stack (AWS layer) is synthesized', () => {
    const json = synthPlatform();

    test('THEN it holds only AWS resources and configures no Kubernetes or Helm provider', () => {
      expect(Object.keys(json.json.resource).filter((type) => !type.startsWith('aws_'))).toEqual([]);
      expect(Object.keys(json.json.provider)).toEqual(['aws']);
    });

    test('THEN whoever applies it becomes cluster admin: the role behind the caller session, not the session', () => {
      const session = dataRef(json, 'aws_iam_session_context');
      expect(json.data('aws_iam_session_context')[session.split('.')[2]]).toEqual({ arn: `\${${dataRef(json, 'aws_caller_identity')}.arn}` });
      const entry = json.where('aws_eks_access_entry', (e) => e.principal_arn === `\${${session}.issuer_arn}`);
      expect(entry).toHaveLength(1);
      expect(entry[0].type).toBe('STANDARD');
      const entryId = json.idOf('aws_eks_access_entry', (e) => e.principal_arn === `\${${session}.issuer_arn}`);
      expect(json.where('aws_eks_access_policy_association', (a) => a.principal_arn === `\${aws_eks_access_entry.${entryId}.principal_arn}`)).toEqual(
        [
          {
            cluster_name: `\${aws_eks_cluster.${json.idOf('aws_eks_cluster')}.name}`,
            principal_arn: `\${aws_eks_access_entry.${entryId}.principal_arn}`,
            policy_arn: 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy',
            access_scope: { type: 'cluster' },
          },
        ],
      );
    });

    test("THEN every node group follows the control plane's version, so the next upgrade is not refused", () => {
      const groups = Object.values(json.resources('aws_eks_node_group')) as any[];
      expect(groups.length).toBeGreaterThanOrEqual(2);
      for (const g of groups) expect(g.version).toBe(`\${aws_eks_cluster.${json.idOf('aws_eks_cluster')}.version}`);
    });

    test('THEN the cluster security group admits the ALB security group on the gateway and readiness ports only', () => {
      const rules = Object.values(json.resources('aws_vpc_security_group_ingress_rule')).filter((r: any) =>
        r.description?.startsWith('ALB to Istio'),
      ) as any[];
      expect(rules.map((r) => [r.from_port, r.to_port]).sort()).toEqual([
        [15021, 15021],
        [8080, 8080],
      ]);
      const albSg = json.idOf('aws_security_group', (g) => g.name === 'acme-prod-alb');
      for (const rule of rules) {
        expect(rule).toMatchObject({
          security_group_id: `\${aws_eks_cluster.${json.idOf('aws_eks_cluster')}.vpc_config[0].cluster_security_group_id}`,
          referenced_security_group_id: `\${aws_security_group.${albSg}.id}`,
          ip_protocol: 'tcp',
        });
      }
    });
  });

  describe('WHEN the cluster stack (Kubernetes layer) is synthesized', () => {
    const json = synthCluster();
    const cluster = dataRef(json, 'aws_eks_cluster');

    test('THEN it creates no cluster, node group, access entry or network: it finds the platform by name', () => {
      for (const type of [
        'aws_eks_cluster',
        'aws_eks_node_group',
        'aws_eks_access_entry',
        'aws_vpc',
        'aws_db_proxy',
        'aws_lb_target_group',
        'aws_kms_key',
      ]) {
        expect(json.resources(type)).toEqual({});
      }
      expect(Object.values(json.data('aws_eks_cluster'))).toEqual([{ name: 'acme-prod' }]);
      expect(Object.values(json.data('aws_kms_key'))).toEqual([{ key_id: 'alias/acme-prod/ebs' }]);
      expect(Object.values(json.data('aws_lb_target_group'))).toEqual([{ name: 'acme-prod-istio' }]);
      expect(Object.values(json.data('aws_db_proxy'))).toEqual([{ name: 'acme-prod-proxy' }]);
      expect(json.data('aws_eks_cluster_auth')).toEqual({});
    });

    test('THEN both providers talk to the looked-up cluster with a per-connection token', () => {
      const connection = {
        host: `\${${cluster}.endpoint}`,
        cluster_ca_certificate: `\${base64decode(${cluster}.certificate_authority[0].data)}`,
      };
      const exec = {
        api_version: 'client.authentication.k8s.io/v1beta1',
        command: 'aws',
        args: ['eks', 'get-token', '--cluster-name', 'acme-prod', '--region', 'eu-west-1', '--output', 'json'],
      };
      expect(json.json.provider.kubernetes).toEqual([{ ...connection, exec: [exec] }]);
      expect(json.json.provider.helm).toEqual([{ kubernetes: { ...connection, exec } }]);
    });

    test('THEN it holds every Kubernetes resource and Helm release of the platform, and IRSA roles trust the derived OIDC provider', () => {
      expect(Object.keys(json.resources('helm_release'))).toHaveLength(14);
      expect(Object.keys(json.resources('kubernetes_storage_class_v1'))).toHaveLength(1);
      expect(Object.keys(json.resources('kubernetes_job_v1'))).toHaveLength(1);
      const issuer = `\${replace(${cluster}.identity[0].oidc[0].issuer, "https://", "")}`;
      for (const role of Object.values(json.resources('aws_iam_role')) as any[]) {
        // The trust document is a Terraform string template around the references.
        expect(role.assume_role_policy).toContain(`"Federated":"arn:aws:iam::111122223333:oidc-provider/${issuer}"`);
      }
      expect((Object.values(json.resources('aws_iam_role')) as any[]).map((r) => r.name).sort()).toEqual([
        'acme-prod-alertmanager',
        'acme-prod-aws-load-balancer-controller',
        'acme-prod-cluster-autoscaler',
        'acme-prod-db-provisioner',
        'acme-prod-db-tenant-provisioner',
        'acme-prod-db-tenant-purger',
      ]);
    });

    test("THEN the load balancer controller and the cluster autoscaler start only once their roles' policies are attached", () => {
      for (const [release, role] of [
        ['aws-load-balancer-controller', 'acme-prod-aws-load-balancer-controller'],
        ['cluster-autoscaler', 'acme-prod-cluster-autoscaler'],
      ]) {
        const roleId = json.idOf('aws_iam_role', (r) => r.name === role);
        const policyId = json.idOf('aws_iam_role_policy', (p) => p.role === `\${aws_iam_role.${roleId}.name}`);
        expect(json.where('helm_release', (r) => r.name === release)[0].depends_on).toContain(`aws_iam_role_policy.${policyId}`);
      }
    });

    test('THEN the storage class encrypts with the platform EBS key, found through its alias', () => {
      expect(json.one('kubernetes_storage_class_v1').parameters.kmsKeyId).toBe(`\${${dataRef(json, 'aws_kms_key')}.arn}`);
    });

    test('THEN the platform SQL Job waits for the IAM policy of the role it connects as', () => {
      const job = json.one('kubernetes_job_v1');
      const policyId = json.idOf('aws_iam_role_policy', (p) => p.name === 'acme-prod-db-provisioner');
      expect(job.depends_on).toContain(`aws_iam_role_policy.${policyId}`);
      expect(JSON.stringify(job)).toContain(`\${${dataRef(json, 'aws_db_proxy')}.endpoint}`);
    });

    test('THEN without a domain nothing binds the gateway to the target group no listener forwards to', () => {
      const istio = json.where('kubernetes_namespace_v1', (n) => n.metadata.name === 'istio-system')[0];
      expect(istio.metadata.labels['elbv2.k8s.aws/pod-readiness-gate-inject']).toBeUndefined();
      const mesh = json.where('helm_release', (r) => r.name === 'platform-mesh')[0];
      expect(JSON.parse(mesh.values[0]).targetGroupArn).toBe('');
    });
  });

  describe('WHEN a domain is set', () => {
    const json = synthCluster({ domain: 'saas.example.com' });

    test('THEN the gateway pods get the readiness gate and the mesh chart binds the looked-up target group', () => {
      const istio = json.where('kubernetes_namespace_v1', (n) => n.metadata.name === 'istio-system')[0];
      expect(istio.metadata.labels['elbv2.k8s.aws/pod-readiness-gate-inject']).toBe('enabled');
      const mesh = json.where('helm_release', (r) => r.name === 'platform-mesh')[0];
      expect(JSON.parse(mesh.values[0]).targetGroupArn).toBe(`\${${dataRef(json, 'aws_lb_target_group')}.arn}`);
    });
  });
});
