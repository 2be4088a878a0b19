import { Manifest } from '@cdktf/provider-kubernetes/lib/manifest';
import type { ITerraformDependable } from 'cdktf';
import type { Construct } from 'constructs';

export interface ValidatingAdmissionPolicyProps {
  readonly name: string;
  /** The policy's spec: match constraints, variables, validations. */
  readonly spec: Record<string, unknown>;
  readonly dependsOn?: ITerraformDependable[];
}

/**
 * A ValidatingAdmissionPolicy (CEL in the API server: no webhook that could fail open) and its
 * binding, which denies wherever the policy matches. The resources are `<id>` and `<id>-binding`.
 */
export function validatingAdmissionPolicy(scope: Construct, id: string, props: ValidatingAdmissionPolicyProps): [Manifest, Manifest] {
  const metadata = { name: props.name, labels: { 'app.kubernetes.io/managed-by': 'tenantctl' } };
  const policy = new Manifest(scope, id, {
    dependsOn: props.dependsOn,
    manifest: { apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingAdmissionPolicy', metadata, spec: props.spec },
  });
  const binding = new Manifest(scope, `${id}-binding`, {
    dependsOn: [policy],
    // No matchResources: the binding applies where the policy matches.
    manifest: {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingAdmissionPolicyBinding',
      metadata,
      spec: { policyName: props.name, validationActions: ['Deny'] },
    },
  });
  return [policy, binding];
}
