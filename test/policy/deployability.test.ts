import { runRules } from '../../src/policy/engine';
import { bindingsHaveListeners, deployabilityRules } from '../../src/policy/rules';
import type { RuleContext } from '../../src/policy/types';
import {
  ALB,
  CLUSTER,
  EBS_KEY,
  execConnection,
  GATEWAY_NS,
  HTTPS,
  inTerraformCloud,
  JOB,
  JOB_POLICY,
  JOB_ROLE,
  LOG_BUCKET,
  LOG_POLICY,
  logDeliveryPolicy,
  MESH,
  project,
  SLR,
  deployable,
  stacksOf,
  type Deployable,
} from './deployable-fixtures';
import { body, findingsOf, policyJson, SYSTEM_PLACEMENT, triples } from './fixtures';

type Extra = Omit<RuleContext, 'stacks'>;

const PLATFORM_ADMIN = 'aws_eks_access_policy_association.eks_applier-admin_B2';
const PLATFORM_ENTRY = 'aws_eks_access_entry.eks_applier-entry_A1';
const GLOBEX_NODES = 'aws_eks_node_group.nodes_node-group_ABCDEF01';
const NS = 'kubernetes_namespace_v1.namespace_namespace_67941C3A';

/** A token read once at plan time, the way the stock ClusterProviders configures it. */
const tokenConnection = (auth: string) => ({
  host: '${data.aws_eks_cluster.eks-cluster.endpoint}',
  cluster_ca_certificate: '${base64decode(data.aws_eks_cluster.eks-cluster.certificate_authority[0].data)}',
  token: `\${data.aws_eks_cluster_auth.${auth}.token}`,
});

/** Gives the cluster stack its own cluster-scoped access (an entry and its association) that every Kubernetes resource waits for. */
function clusterStackAccess(d: Deployable, principalArn = 'arn:aws:iam::111122223333:role/acme-prod-operator'): void {
  const r = d.cluster.json.resource;
  r.aws_eks_access_entry = { operator: { cluster_name: CLUSTER, principal_arn: principalArn, type: 'STANDARD' } };
  r.aws_eks_access_policy_association = {
    operator: {
      cluster_name: CLUSTER,
      principal_arn: '${aws_eks_access_entry.operator.principal_arn}',
      policy_arn: 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy',
      access_scope: { type: 'cluster' },
    },
  };
  for (const type of ['kubernetes_namespace_v1', 'helm_release', 'kubernetes_service_account_v1', 'kubernetes_job_v1']) {
    for (const resource of Object.values<any>(r[type]))
      resource.depends_on = [...(resource.depends_on ?? []), 'aws_eks_access_policy_association.operator'];
  }
}

/** Tenant acme's team: an access entry confined to the tenant's namespace (which the association refers to). */
function tenantAdmin(d: Deployable): void {
  d.acme.json.resource.aws_eks_access_entry = {
    admin: { cluster_name: CLUSTER, principal_arn: 'arn:aws:iam::111122223333:role/acme-admins', kubernetes_groups: ['tenant-acme-admins'] },
  };
  d.acme.json.resource.aws_eks_access_policy_association = {
    admin: {
      cluster_name: CLUSTER,
      principal_arn: '${aws_eks_access_entry.admin.principal_arn}',
      policy_arn: 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy',
      access_scope: { type: 'namespace', namespaces: [`\${${NS}.metadata[0].name}`] },
    },
  };
}

/** [rule, what is broken, how, [stack, address] of every finding, severity, extra context]. */
const cases: [string, string, (d: Deployable) => void, [string, string][], ('error' | 'warning')?, Extra?][] = [
  [
    'TC-DEP-001',
    'the platform stack configures a kubernetes provider from the cluster it creates',
    (d) => {
      d.platform.json.provider.kubernetes = [
        {
          ...execConnection(),
          host: '${aws_eks_cluster.eks_cluster_6F.endpoint}',
          cluster_ca_certificate: '${base64decode(aws_eks_cluster.eks_cluster_6F.certificate_authority[0].data)}',
        },
      ];
    },
    [['platform', 'provider.kubernetes']],
  ],
  [
    'TC-DEP-001',
    'a helm provider reads the cluster through a data source that depends on the cluster resource',
    (d) => {
      d.platform.json.data.aws_eks_cluster = { same: { name: '${aws_eks_cluster.eks_cluster_6F.name}' } };
      d.platform.json.provider.helm = [{ kubernetes: { ...execConnection(), host: '${data.aws_eks_cluster.same.endpoint}' } }];
    },
    [['platform', 'provider.helm']],
  ],
  [
    'TC-DEP-002',
    "a Kubernetes resource does not wait for the stack's cluster-scoped association",
    (d) => {
      clusterStackAccess(d);
      body(d.cluster, GATEWAY_NS).depends_on = [];
    },
    [['cluster', GATEWAY_NS]],
  ],
  [
    'TC-DEP-002',
    'an association names its principal literally, so it is not ordered after the access entry',
    (d) => {
      clusterStackAccess(d);
      body(d.cluster, 'aws_eks_access_policy_association.operator').principal_arn = 'arn:aws:iam::111122223333:role/acme-prod-operator';
    },
    [['cluster', 'aws_eks_access_policy_association.operator']],
  ],
  [
    'TC-DEP-003',
    'locally, no access entry admits whoever runs terraform',
    (d) => {
      delete d.platform.json.resource.aws_eks_access_entry;
      delete d.platform.json.resource.aws_eks_access_policy_association;
    },
    [
      ['cluster', 'provider.kubernetes'],
      ['tenant-acme', 'provider.kubernetes'],
      ['tenant-globex', 'provider.kubernetes'],
    ],
  ],
  [
    'TC-DEP-003',
    "locally, the caller's entry has no access policy",
    (d) => delete d.platform.json.resource.aws_eks_access_policy_association,
    [
      ['cluster', 'provider.kubernetes'],
      ['tenant-acme', 'provider.kubernetes'],
      ['tenant-globex', 'provider.kubernetes'],
    ],
  ],
  [
    'TC-DEP-003',
    'locally, the only explicit principal is a tenant team confined to its namespace',
    (d) => {
      delete d.platform.json.resource.aws_eks_access_entry;
      delete d.platform.json.resource.aws_eks_access_policy_association;
      tenantAdmin(d);
    },
    [
      ['cluster', 'provider.kubernetes'],
      ['tenant-acme', 'provider.kubernetes'],
      ['tenant-globex', 'provider.kubernetes'],
    ],
  ],
  [
    'TC-DEP-003',
    "under Terraform Cloud, the cluster stack's run role has no access entry",
    (d) => inTerraformCloud(d.cluster),
    [['cluster', 'provider.kubernetes']],
    'error',
    { project: project({ terraformCloud: true }) },
  ],
  [
    'TC-DEP-003',
    'under Terraform Cloud without a loaded project, the run role cannot be told',
    (d) => inTerraformCloud(d.cluster),
    [['cluster', 'provider.kubernetes']],
    'warning',
  ],
  [
    'TC-DEP-003',
    'a tenant assumes a deployer role that has no access entry',
    (d) => (d.acme.json.provider.kubernetes = [execConnection(['--role-arn', 'arn:aws:iam::111122223333:role/acme-prod-tenant-deployer'])]),
    [['tenant-acme', 'provider.kubernetes']],
  ],
  ['TC-DEP-004', 'the key does not depend on the service-linked role', (d) => delete body(d.platform, EBS_KEY).depends_on, [['platform', EBS_KEY]]],
  [
    'TC-DEP-004',
    'nothing creates the service-linked role',
    (d) => {
      delete d.platform.json.resource.aws_iam_service_linked_role;
      delete body(d.platform, EBS_KEY).depends_on;
    },
    [['platform', EBS_KEY]],
  ],
  [
    'TC-DEP-004',
    'the service-linked role is created for another service',
    (d) => (body(d.platform, SLR).aws_service_name = 'elasticloadbalancing.amazonaws.com'),
    [['platform', EBS_KEY]],
  ],
  [
    'TC-DEP-004',
    'a role trust policy names a service-linked role',
    (d) => {
      d.platform.json.resource.aws_iam_role = {
        spot: {
          name: 'spot',
          assume_role_policy: policyJson([
            {
              Effect: 'Allow',
              Principal: { AWS: 'arn:aws:iam::111122223333:role/aws-service-role/spot.amazonaws.com/AWSServiceRoleForEC2Spot' },
              Action: 'sts:AssumeRole',
            },
          ]),
        },
      };
    },
    [['platform', 'aws_iam_role.spot']],
  ],
  [
    'TC-DEP-005',
    'the log bucket admits only the service principal in eu-west-1',
    (d) => (body(d.platform, LOG_POLICY).policy = logDeliveryPolicy({ Service: 'logdelivery.elasticloadbalancing.amazonaws.com' })),
    [['platform', LOG_POLICY]],
  ],
  [
    'TC-DEP-005',
    "the log bucket admits another region's ELB account",
    (d) => (body(d.platform, LOG_POLICY).policy = logDeliveryPolicy({ AWS: 'arn:aws:iam::127311923021:root' })),
    [['platform', LOG_POLICY]],
  ],
  ['TC-DEP-005', 'the log bucket has no bucket policy', (d) => delete d.platform.json.resource.aws_s3_bucket_policy, [['platform', LOG_BUCKET]]],
  ['TC-DEP-005', 'the load balancer is not ordered after the bucket policy', (d) => delete body(d.platform, ALB).depends_on, [['platform', ALB]]],
  [
    'TC-DEP-006',
    'the cluster stack authenticates with an aws_eks_cluster_auth token',
    (d) => {
      d.cluster.json.data.aws_eks_cluster_auth = { auth: { name: CLUSTER } };
      d.cluster.json.provider.kubernetes = [tokenConnection('auth')];
      d.cluster.json.provider.helm = [{ kubernetes: tokenConnection('auth') }];
    },
    [
      ['cluster', 'provider.kubernetes'],
      ['cluster', 'provider.helm'],
    ],
  ],
  [
    'TC-DEP-007',
    "the Job does not wait for its IRSA role's policy",
    (d) => (body(d.cluster, JOB).depends_on = ['kubernetes_service_account_v1.database-provisioner_service-account_F2']),
    [['cluster', JOB]],
  ],
  [
    'TC-DEP-007',
    'the IRSA role gets a managed policy the Job does not wait for',
    (d) => {
      d.cluster.json.resource.aws_iam_role_policy_attachment = {
        extra: { role: `\${${JOB_ROLE}.name}`, policy_arn: 'arn:aws:iam::aws:policy/AmazonRDSReadOnlyAccess' },
      };
    },
    [['cluster', JOB]],
  ],
  [
    'TC-DEP-007',
    'a wait_for_completion default (true) Job connects to a proxy of its stack before its target is registered',
    (d) => {
      const r = d.cluster.json.resource;
      r.aws_db_proxy = {
        proxy: {
          name: 'acme-prod-proxy',
          engine_family: 'POSTGRESQL',
          require_tls: true,
          default_auth_scheme: 'IAM_AUTH',
          auth: [{ iam_auth: 'REQUIRED' }],
        },
      };
      r.aws_db_proxy_target = {
        target: { db_proxy_name: '${aws_db_proxy.proxy.name}', target_group_name: 'default', db_instance_identifier: 'acme-prod-postgres' },
      };
      delete body(d.cluster, JOB).wait_for_completion;
      body(d.cluster, JOB).spec.template.spec.container[0].env[0].value = '${aws_db_proxy.proxy.endpoint}';
    },
    [['cluster', JOB]],
  ],
  [
    'TC-DEP-008',
    'no listener forwards to the gateway target group (no domain)',
    (d) => {
      body(d.platform, HTTPS).default_action = [{ type: 'fixed-response', fixed_response: { status_code: '503', content_type: 'text/plain' } }];
    },
    [
      ['cluster', MESH],
      ['cluster', GATEWAY_NS],
    ],
  ],
  [
    'TC-DEP-008',
    'a chart is handed the ARN of a target group of the project that nothing forwards to',
    (d) => {
      d.platform.json.resource.aws_lb_target_group.spare = { name: 'acme-prod-spare', port: 8080, protocol: 'HTTP', target_type: 'ip' };
      body(d.cluster, MESH).set = [
        { name: 'spare.targetGroupArn', value: 'arn:aws:elasticloadbalancing:eu-west-1:111122223333:targetgroup/acme-prod-spare/0123456789abcdef' },
      ];
    },
    [
      ['cluster', MESH],
      ['cluster', GATEWAY_NS],
    ],
  ],
  [
    'TC-DEP-009',
    'nothing installs an autoscaler',
    (d) => delete d.cluster.json.resource.helm_release['services_cluster-autoscaler_helm_release_AE'],
    [['tenant-globex', GLOBEX_NODES]],
    'warning',
  ],
];

describe('deployability rules', () => {
  test('GIVEN the deployable fixture THEN no rule fires', () => {
    expect(findingsOf(stacksOf(deployable()))).toEqual([]);
    expect(findingsOf(stacksOf(deployable()), { project: project() })).toEqual([]);
  });

  test('every rule has a failing case below', () => {
    expect(new Set(cases.map((c) => c[0]))).toEqual(new Set(deployabilityRules.map((r) => r.id)));
  });

  test.each(cases)('%s fires when %s', (id, _what, breakIt, expected, severity = 'error', extra = {}) => {
    const d = deployable();
    breakIt(d);
    const findings = findingsOf(stacksOf(d), extra);
    expect(triples(findings)).toEqual(expected.map(([stack, address]) => [id, stack, address]));
    expect(findings.map((f) => f.severity)).toEqual(expected.map(() => severity));
  });

  describe('passing variants', () => {
    test.each<[string, (d: Deployable) => void, Extra?]>([
      [
        "an explicit admin principal instead of the caller's entry (eks.adminPrincipalArns)",
        (d) => {
          body(d.platform, PLATFORM_ENTRY).principal_arn = 'arn:aws:iam::111122223333:role/platform-admins';
          body(d.platform, PLATFORM_ADMIN).principal_arn = `\${${PLATFORM_ENTRY}.principal_arn}`;
        },
      ],
      [
        'an entry whose principal is the caller identity itself',
        (d) => (body(d.platform, PLATFORM_ENTRY).principal_arn = '${data.aws_caller_identity.current.arn}'),
      ],
      [
        "Terraform Cloud with an entry for the cluster stack's run role",
        (d) => {
          inTerraformCloud(d.cluster);
          d.platform.json.resource.aws_eks_access_entry.run = {
            cluster_name: '${aws_eks_cluster.eks_cluster_6F.name}',
            principal_arn: 'arn:aws:iam::111122223333:role/acme-prod-tfc-cluster',
          };
          d.platform.json.resource.aws_eks_access_policy_association.run = {
            cluster_name: '${aws_eks_cluster.eks_cluster_6F.name}',
            principal_arn: '${aws_eks_access_entry.run.principal_arn}',
            policy_arn: 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy',
            access_scope: { type: 'cluster' },
          };
        },
        { project: project({ terraformCloud: true }) },
      ],
      [
        'a tenant that assumes the deployer role created with an access entry in the platform stack',
        (d) => {
          inTerraformCloud(d.acme);
          d.acme.json.data.aws_eks_cluster_auth = { auth: { name: CLUSTER, provider: 'aws.cluster_auth' } };
          d.acme.json.provider.aws.push({
            alias: 'cluster_auth',
            region: 'eu-west-1',
            assume_role: [{ role_arn: 'arn:aws:iam::111122223333:role/acme-prod-tenant-deployer' }],
          });
          d.acme.json.provider.kubernetes = [{ ...execConnection(['--role-arn', 'arn:aws:iam::111122223333:role/acme-prod-tenant-deployer']) }];
          d.platform.json.resource.aws_iam_role = {
            deployer: {
              name: 'acme-prod-tenant-deployer',
              assume_role_policy: policyJson([{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:root' }, Action: 'sts:AssumeRole' }]),
            },
          };
          d.platform.json.resource.aws_eks_access_entry.deployer = {
            cluster_name: '${aws_eks_cluster.eks_cluster_6F.name}',
            principal_arn: '${aws_iam_role.deployer.arn}',
          };
          d.platform.json.resource.aws_eks_access_policy_association.deployer = {
            cluster_name: '${aws_eks_cluster.eks_cluster_6F.name}',
            principal_arn: '${aws_eks_access_entry.deployer.principal_arn}',
            policy_arn: 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy',
            access_scope: { type: 'cluster' },
          };
        },
        { project: project({ terraformCloud: true }) },
      ],
      [
        'a cluster whose creator keeps admin',
        (d) => {
          body(d.platform, 'aws_eks_cluster.eks_cluster_6F').access_config.bootstrap_cluster_creator_admin_permissions = true;
          delete d.platform.json.resource.aws_eks_access_entry;
          delete d.platform.json.resource.aws_eks_access_policy_association;
        },
      ],
      ["a namespace-scoped tenant admin association the tenant's own namespace comes before", tenantAdmin],
      ["the cluster stack's own access, waited for by every Kubernetes resource", (d) => clusterStackAccess(d)],
      [
        'the service-linked role declared as existing (no creation, no dependency)',
        (d) => {
          delete d.platform.json.resource.aws_iam_service_linked_role;
          delete body(d.platform, EBS_KEY).depends_on;
        },
        { project: project({ aws: { existingServiceLinkedRoles: ['autoscaling.amazonaws.com'] } }) },
      ],
      ['the log-delivery account named by its account id', (d) => (body(d.platform, LOG_POLICY).policy = logDeliveryPolicy({ AWS: '156460612806' }))],
      [
        'a region opened after August 2022 with the service principal',
        (d) => {
          d.platform.json.provider.aws[0].region = 'ap-southeast-4';
          body(d.platform, LOG_POLICY).policy = logDeliveryPolicy({ Service: 'logdelivery.elasticloadbalancing.amazonaws.com' });
        },
      ],
      [
        'a Job that is not waited for',
        (d) => {
          body(d.cluster, JOB).wait_for_completion = false;
          body(d.cluster, JOB).depends_on = [];
        },
      ],
      [
        "a Job that waits for its proxy's target",
        (d) => {
          const r = d.cluster.json.resource;
          r.aws_db_proxy = {
            proxy: { name: 'acme-prod-proxy', require_tls: true, default_auth_scheme: 'IAM_AUTH', auth: [{ iam_auth: 'REQUIRED' }] },
          };
          r.aws_db_proxy_target = {
            target: { db_proxy_name: 'acme-prod-proxy', target_group_name: 'default', db_instance_identifier: 'acme-prod-postgres' },
          };
          body(d.cluster, JOB).spec.template.spec.container[0].env[0].value = '${aws_db_proxy.proxy.endpoint}';
          body(d.cluster, JOB).depends_on.push('aws_db_proxy_target.target');
        },
      ],
      [
        'a listener rule (not the default action) forwarding to the gateway target group',
        (d) => {
          body(d.platform, HTTPS).default_action = [{ type: 'fixed-response', fixed_response: { status_code: '404', content_type: 'text/plain' } }];
          d.platform.json.resource.aws_lb_listener_rule = {
            tenants: {
              listener_arn: `\${${HTTPS}.arn}`,
              priority: 10,
              action: [{ type: 'forward', forward: { target_group: [{ arn: '${aws_lb_target_group.tg.arn}' }] } }],
              condition: [{ host_header: { values: ['*.saas.example.com'] } }],
            },
          };
        },
      ],
      [
        'karpenter instead of the cluster autoscaler',
        (d) => {
          d.cluster.json.resource.helm_release['services_cluster-autoscaler_helm_release_AE'] = {
            name: 'karpenter',
            chart: 'oci://public.ecr.aws/karpenter/karpenter',
            version: '1.6.3',
            namespace: 'kube-system',
            values: [JSON.stringify(SYSTEM_PLACEMENT)],
          };
        },
      ],
      [
        'node groups of fixed size',
        (d) => {
          delete d.cluster.json.resource.helm_release['services_cluster-autoscaler_helm_release_AE'];
          Object.assign(body(d.globex, GLOBEX_NODES).scaling_config, { min_size: 2, desired_size: 2, max_size: 2 });
        },
      ],
    ])('GIVEN %s THEN nothing fires', (_what, change, extra = {}) => {
      const d = deployable();
      change(d);
      expect(findingsOf(stacksOf(d), extra)).toEqual([]);
    });
  });

  test('GIVEN a tenant stack without the platform THEN the autoscaler rule does not guess (the cluster is not in view)', () => {
    const d = deployable();
    expect(findingsOf([d.globex])).toEqual([]);
  });

  test('GIVEN a TargetGroupBinding manifest for an idle target group of its stack THEN TC-DEP-008 reads its targetGroupARN', () => {
    const d = deployable();
    d.cluster.json.resource.aws_lb_target_group = { spare: { name: 'acme-prod-spare', port: 8080, protocol: 'HTTP', target_type: 'ip' } };
    d.cluster.json.resource.kubernetes_manifest = {
      binding: {
        manifest: {
          apiVersion: 'elbv2.k8s.aws/v1beta1',
          kind: 'TargetGroupBinding',
          metadata: { name: 'spare', namespace: 'shared-services' },
          spec: { serviceRef: { name: 'x', port: 80 }, targetGroupARN: '${aws_lb_target_group.spare.arn}' },
        },
      },
    };
    const findings = runRules({ stacks: stacksOf(d) }, [bindingsHaveListeners]);
    expect(triples(findings)).toEqual([['TC-DEP-008', 'cluster', 'kubernetes_manifest.binding']]);
    expect(findings[0].message).toBe(
      'kubernetes_manifest.binding binds pods of namespace shared-services to target group acme-prod-spare, which no listener or listener ' +
        'rule forwards to: its targets stay unused',
    );
  });

  test('findings say what to change', () => {
    const d = deployable();
    body(d.cluster, JOB).depends_on = [];
    const [finding] = findingsOf(stacksOf(d));
    expect(finding.message).toBe(`job db-provision-platform is waited for but not ordered after ${JOB_POLICY} (permissions of ${JOB_ROLE})`);
    expect(finding.remediation).toContain('depends_on');
  });
});
