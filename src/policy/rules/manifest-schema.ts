import { isKnownKind, validateManifest } from '../../manifests/schema';
import { manifests } from '../json';
import type { Rule } from '../types';

export const manifestSchema: Rule = {
  id: 'TC-SCH-001',
  title: 'Kubernetes and Istio manifests match their schema',
  severity: 'error',
  rationale:
    'kubernetes_manifest objects are only checked by the API server at apply time; a wrong field or enum (an AuthorizationPolicy action, an ' +
    'mTLS mode) fails the apply, or worse is ignored, after the plan was approved.',
  remediation: 'Fix the field the message names; for kinds without a packaged schema (warning), check the object against its CRD.',
  check: (ctx) =>
    ctx.stacks.flatMap((stack) =>
      manifests(stack).flatMap((m) => {
        const { apiVersion, kind } = m.manifest;
        if (typeof apiVersion === 'string' && typeof kind === 'string' && !isKnownKind(apiVersion, kind)) {
          return [
            {
              stack: stack.name,
              address: m.address,
              severity: 'warning' as const,
              message: `${apiVersion} ${kind} has no packaged schema: not validated`,
            },
          ];
        }
        const problem = validateManifest(m.manifest);
        return problem
          ? [{ stack: stack.name, address: m.address, message: `${problem.apiVersion} ${problem.kind} ${problem.name}: ${problem.message}` }]
          : [];
      }),
    ),
};
