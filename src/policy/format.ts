import { createHash } from 'crypto';
import type { Finding, StackDocument, ValidationReport } from './types';

/** Heading of findings that belong to no stack (configuration files). */
const CONFIGURATION = 'configuration';

/** Findings for people: grouped by stack, each with rule, severity, address, problem and fix. */
export function formatHuman(report: ValidationReport): string {
  const groups = new Map<string, Finding[]>();
  for (const f of report.findings) {
    const key = f.stack ?? CONFIGURATION;
    groups.set(key, [...(groups.get(key) ?? []), f]);
  }
  const lines: string[] = [];
  for (const [stack, findings] of groups) {
    lines.push(stack);
    for (const f of findings) {
      const label = f.suppressed ? 'suppressed' : f.severity;
      lines.push(`  ${label.padEnd(10)} ${f.ruleId}  ${f.address}`);
      lines.push(`             ${f.message}`);
      lines.push(f.suppressed ? `             accepted: ${f.suppressed.reason}` : `             fix: ${f.remediation}`);
    }
    lines.push('');
  }
  const { errors, warnings, suppressed } = report.summary;
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  lines.push(
    `${report.ok ? 'passed' : 'failed'}: ${plural(report.stacks.length, 'stack')} checked against ${plural(report.rules.length, 'rule')}: ` +
      `${plural(errors, 'error')}, ${plural(warnings, 'warning')}, ${suppressed} suppressed`,
  );
  return lines.join('\n') + '\n';
}

/** Findings for machines. */
export function formatJson(report: ValidationReport): string {
  return JSON.stringify({ ok: report.ok, summary: report.summary, stacks: report.stacks, findings: report.findings }, null, 2) + '\n';
}

/** 1-based line of a resource's key in its stack file, found by the `"type": {` then `"id": {` keys. */
export function lineOf(stack: StackDocument | undefined, address: string): number | undefined {
  if (!stack?.text) return undefined;
  const parts = address.split('.');
  const [type, id] = parts[0] === 'data' ? [parts[1], parts[2]] : [parts[0], parts[1]];
  if (!type || !id) return undefined;
  const typeAt = stack.text.indexOf(`"${type}": {`);
  if (typeAt < 0) return undefined;
  const idAt = stack.text.indexOf(`"${id}": {`, typeAt);
  return idAt < 0 ? undefined : stack.text.slice(0, idAt).split('\n').length;
}

/**
 * SARIF 2.1.0 for code-scanning uploads: one run, the rules as the driver's reporting
 * descriptors, one result per finding located in the stack file (or config file) with the
 * Terraform address as logical location. Suppressed findings carry an external suppression.
 */
export function formatSarif(report: ValidationReport, stacks: readonly StackDocument[], version: string): string {
  const ruleIndex = new Map(report.rules.map((r, i) => [r.id, i]));
  const sarif = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'tenantctl',
            version,
            rules: report.rules.map((r) => ({
              id: r.id,
              name: r.id.replace(/-/g, ''),
              shortDescription: { text: r.title },
              fullDescription: { text: r.rationale },
              help: { text: r.remediation },
              defaultConfiguration: { level: r.severity },
            })),
          },
        },
        results: report.findings.map((f) => {
          const line = lineOf(
            stacks.find((s) => s.name === f.stack),
            f.address,
          );
          return {
            ruleId: f.ruleId,
            ruleIndex: ruleIndex.get(f.ruleId),
            level: f.severity,
            message: { text: `${f.message}. Fix: ${f.remediation}` },
            locations: [
              {
                ...(f.file ? { physicalLocation: { artifactLocation: { uri: f.file }, ...(line ? { region: { startLine: line } } : {}) } } : {}),
                logicalLocations: [{ name: f.address, fullyQualifiedName: f.stack ? `${f.stack}/${f.address}` : f.address, kind: 'resource' }],
              },
            ],
            partialFingerprints: {
              'tenantctlFinding/v1': createHash('sha256')
                .update(`${f.ruleId}|${f.stack ?? ''}|${f.address}`)
                .digest('hex'),
            },
            ...(f.suppressed ? { suppressions: [{ kind: 'external', status: 'accepted', justification: f.suppressed.reason }] } : {}),
          };
        }),
      },
    ],
  };
  return JSON.stringify(sarif, null, 2) + '\n';
}
