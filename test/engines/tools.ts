import { spawn } from 'child_process';
import * as os from 'os';

/** The engine binaries, installed and pinned by scripts/engines.sh, which passes their paths. */
export interface Tools {
  readonly checkov: string;
  readonly zizmor: string;
  readonly helm: string;
  readonly actionlint: string;
  readonly shellcheck: string;
  readonly terraform: string;
  /** Headless Chromium (Debian's chromium-headless-shell), which opens `tenantctl cost --output html`. */
  readonly chromium: string;
  /** test/engines/admission, built against the API server's CEL environment. */
  readonly admission: string;
  /** test/engines/promql, built against Prometheus' PromQL parser. */
  readonly promql: string;
  /** The AWS provider version the local filesystem mirror holds (what terraform validates with). */
  readonly awsProviderVersion: string;
}

const TOOL_VARIABLES: Readonly<Record<keyof Tools, string>> = {
  checkov: 'TENANTCTL_ENGINE_CHECKOV',
  zizmor: 'TENANTCTL_ENGINE_ZIZMOR',
  helm: 'TENANTCTL_ENGINE_HELM',
  actionlint: 'TENANTCTL_ENGINE_ACTIONLINT',
  shellcheck: 'TENANTCTL_ENGINE_SHELLCHECK',
  terraform: 'TENANTCTL_ENGINE_TERRAFORM',
  chromium: 'TENANTCTL_ENGINE_CHROMIUM',
  admission: 'TENANTCTL_ENGINE_ADMISSION',
  promql: 'TENANTCTL_ENGINE_PROMQL',
  awsProviderVersion: 'TENANTCTL_ENGINE_AWS_PROVIDER_VERSION',
};

export function toolsFromEnv(env: NodeJS.ProcessEnv = process.env): Tools {
  const missing = Object.values(TOOL_VARIABLES).filter((name) => !env[name]);
  if (missing.length)
    throw new Error(`${missing.join(', ')} not set: run the engines through scripts/engines.sh (npm run test:engines), which installs them`);
  return Object.fromEntries(Object.entries(TOOL_VARIABLES).map(([key, name]) => [key, env[name]])) as unknown as Tools;
}

export interface RunResult {
  /** Exit code; -1 when the process could not start or was killed by a signal. */
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** stdout then stderr, for messages. */
  readonly output: string;
}

/** Runs a command to completion without a shell, stdin closed; its output is returned, not printed. */
export function run(command: string, args: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: options.cwd, env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    const finish = (code: number, extra = '') => {
      const stdout = Buffer.concat(out).toString('utf8');
      const stderr = Buffer.concat(err).toString('utf8') + extra;
      resolve({ code, stdout, stderr, output: [stdout, stderr].filter(Boolean).join('\n') });
    };
    child.on('error', (error) => finish(-1, error.message));
    child.on('close', (code) => finish(code ?? -1));
  });
}

/** Processes at a time for the engines that start one per stack: the machine's CPUs. */
export const CONCURRENCY = Math.max(1, os.availableParallelism());

/** Maps `items` through `fn`, at most `concurrency` at a time, keeping their order. */
export async function pool<T, R>(items: readonly T[], fn: (item: T) => Promise<R>, concurrency = CONCURRENCY): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return results;
}
