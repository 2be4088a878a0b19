import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { PlatformConfig } from '../../src/model/platform-schema';
import { resolveTenant, type Project } from '../../src/model/project';
import { tenantSchema } from '../../src/model/tenant-schema';
import { resolveTiers } from '../../src/model/tiers';
import { loadStacks, runRules } from '../../src/policy/engine';
import { tenantAdmissionRules } from '../../src/policy/rules';
import type { StackDocument } from '../../src/policy/types';
import { buildApp } from '../../src/synth/app';
import { platformSpec } from '../util';
import { triples } from './fixtures';

const platform = platformSpec({
  aws: { region: 'eu-west-1', accountId: '111122223333' },
  terraformCloud: { organization: 'acme-corp' },
} as Partial<PlatformConfig>);
const tiers = resolveTiers();
const project: Project = {
  dir: '/nonexistent',
  platform,
  tiers,
  tenants: [resolveTenant(tenantSchema.parse({ version: 1, id: 'acme', tier: 'enterprise' }), platform, tiers, 'acme.json')],
};

const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'tenantctl-admission-'));
buildApp(project, { outdir }).synth();
const synthesized = loadStacks(outdir);
afterAll(() => fs.rmSync(outdir, { recursive: true, force: true }));
const fresh = (): StackDocument[] => synthesized.map((s) => ({ ...s, json: JSON.parse(JSON.stringify(s.json)) }));
const cluster = (stacks: StackDocument[]): any => stacks.find((s) => s.name === 'cluster')!.json;
const findings = (stacks: StackDocument[]) => runRules({ stacks }, tenantAdmissionRules);
const policyOf = (stacks: StackDocument[]) =>
  (Object.values(cluster(stacks).resource.kubernetes_manifest) as any[]).find(
    (m) => m.manifest.kind === 'ValidatingAdmissionPolicy' && m.manifest.metadata.name === 'tenantctl-tenant-deployers',
  ).manifest.spec;
const roleId = (stacks: StackDocument[], name: string) =>
  Object.entries(cluster(stacks).resource.kubernetes_cluster_role_v1).find(([, r]: [string, any]) => r.metadata.name === name)![0];

describe('TC-ADM-001: a tenant pipeline writes no namespace, ResourceQuota or Istio networking object that admission does not check', () => {
  test('GIVEN the synthesized Terraform Cloud project THEN it does not fire', () => {
    expect(findings(fresh())).toEqual([]);
  });

  test('fires when the admission policy no longer matches the Istio kinds the tenant deployer role writes', () => {
    const stacks = fresh();
    const spec = policyOf(stacks);
    spec.matchConstraints.resourceRules = spec.matchConstraints.resourceRules.filter((r: any) => !r.apiGroups.includes('networking.istio.io'));
    const found = findings(stacks);
    const address = `kubernetes_cluster_role_v1.${roleId(stacks, 'tenantctl:tenant-deployer')}`;
    expect(triples(found)).toEqual(
      ['virtualservices', 'destinationrules', 'serviceentries', 'envoyfilters'].map(() => ['TC-ADM-001', 'cluster', address]),
    );
    expect(found[0].message).toBe(
      'group tenantctl:tenant-deployers may write networking.istio.io/virtualservices, which the admission policy ' +
        'tenantctl-tenant-deployers does not check',
    );
  });

  test('fires when the tenant ResourceQuota is no longer held to the entitlement', () => {
    const stacks = fresh();
    const spec = policyOf(stacks);
    spec.validations = spec.validations.filter((v: any) => !v.expression.includes("request.resource.resource != 'resourcequotas'"));
    expect(findings(stacks).map((f) => f.message)).toEqual([
      'group tenantctl:tenant-deployers may write core/resourcequotas, which the admission policy tenantctl-tenant-deployers does not check',
    ]);
  });

  test('fires when a kind is matched but no validation is about it', () => {
    const stacks = fresh();
    const spec = policyOf(stacks);
    spec.validations = spec.validations.filter((v: any) => !v.expression.includes("request.resource.resource != 'serviceentries'"));
    expect(findings(stacks).map((f) => f.message)).toEqual([
      'group tenantctl:tenant-deployers may write networking.istio.io/serviceentries, which the admission policy tenantctl-tenant-deployers ' +
        'does not check',
    ]);
  });

  test('fires for an Istio kind added to the tenant deployer role without a check, and for namespaces once their check is gone', () => {
    const stacks = fresh();
    const json = cluster(stacks);
    json.resource.kubernetes_cluster_role_v1[roleId(stacks, 'tenantctl:tenant-deployer')].rule.push({
      api_groups: ['networking.istio.io'],
      resources: ['gateways'],
      verbs: ['create', 'update'],
    });
    const spec = policyOf(stacks);
    spec.validations = spec.validations.filter((v: any) => !v.expression.startsWith("request.resource.resource != 'namespaces'"));
    expect(triples(findings(stacks))).toEqual([
      ['TC-ADM-001', 'cluster', `kubernetes_cluster_role_v1.${roleId(stacks, 'tenantctl:tenant-deployers')}`],
      ['TC-ADM-001', 'cluster', `kubernetes_cluster_role_v1.${roleId(stacks, 'tenantctl:tenant-deployer')}`],
    ]);
    expect(
      findings(stacks)
        .map((f) => f.message)
        .sort(),
    ).toEqual([
      'group tenantctl:tenant-deployers may write core/namespaces, which the admission policy tenantctl-tenant-deployers does not check',
      'group tenantctl:tenant-deployers may write networking.istio.io/gateways, which the admission policy tenantctl-tenant-deployers does not check',
    ]);
  });
});

describe('TC-ADM-002: what reaches past a tenant namespace is checked whoever writes it', () => {
  const namespacePolicy = (stacks: StackDocument[]) =>
    (Object.values(cluster(stacks).resource.kubernetes_manifest) as any[]).find(
      (m) => m.manifest.kind === 'ValidatingAdmissionPolicy' && m.manifest.metadata.name === 'tenantctl-tenant-namespaces',
    ).manifest.spec;
  const messages = (stacks: StackDocument[]) =>
    findings(stacks)
      .filter((f) => f.ruleId === 'TC-ADM-002')
      .map((f) => f.message);

  test('GIVEN the synthesized project THEN it does not fire', () => {
    expect(messages(fresh())).toEqual([]);
  });

  test('fires for each kind once the policy holds only for the pipeline group (a service account of the namespace escapes it)', () => {
    const stacks = fresh();
    namespacePolicy(stacks).matchConditions = [{ name: 'pipelines', expression: "'tenantctl:tenant-deployers' in request.userInfo.groups" }];
    expect(messages(stacks)).toEqual([
      'no admission policy checks, for every writer in every tenant namespace, core/resourcequotas',
      'no admission policy checks, for every writer in every tenant namespace, core/services',
      'no admission policy checks, for every writer in every tenant namespace, rbac.authorization.k8s.io/rolebindings',
      'no admission policy checks, for every writer in every tenant namespace, networking.istio.io/virtualservices',
      'no admission policy checks, for every writer in every tenant namespace, networking.istio.io/destinationrules',
      'no admission policy checks, for every writer in every tenant namespace, networking.istio.io/serviceentries',
      'no admission policy checks, for every writer in every tenant namespace, networking.istio.io/envoyfilters',
      'no admission policy checks, for every writer in every tenant namespace, kyverno.io/policies',
      'no admission policy checks, for every writer in every tenant namespace, argoproj.io/rollouts',
      'no admission policy checks, for every writer in every tenant namespace, argoproj.io/analysistemplates',
    ]);
  });

  test('fires for a kind whose check is gone', () => {
    const stacks = fresh();
    const spec = namespacePolicy(stacks);
    spec.validations = spec.validations.filter((v: any) => !v.expression.includes("request.resource.resource != 'policies'"));
    expect(messages(stacks)).toEqual(['no admission policy checks, for every writer in every tenant namespace, kyverno.io/policies']);
  });
});
