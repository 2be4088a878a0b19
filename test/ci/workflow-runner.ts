import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { cliPath } from '../cli/helpers';
import { tempDir } from '../util';

/**
 * Runs the generated workflow's steps as a GitHub runner would: a `run:` script in bash with the
 * project's tenantctl behind `npm exec --no -- tenantctl` (and stubs of `gh`), or the pull
 * request comment script (actions/github-script) with a stub GitHub client.
 */

/** Scratch directories of the suite that imports this module (removed after it). */
const scratch = tempDir('tenantctl-workflow-');
const scratchDir = (prefix: string) => fs.mkdtempSync(path.join(scratch, prefix));

export interface StepResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** What the step wrote to $GITHUB_OUTPUT, by name. */
  readonly outputs: Record<string, string>;
  readonly runnerTemp: string;
}

/**
 * A `run:` script in bash (`-eo pipefail`, as Actions runs it). `FAKE_CHANGED` makes `tenantctl
 * changed` print that file; `FAKE_LAST_SUCCESS` is what `gh` returns as the last applied commit.
 */
export function runStep(script: string, opts: { cwd: string; env?: Record<string, string> }): StepResult {
  const bin = scratchDir('tenantctl-shims-');
  fs.writeFileSync(
    path.join(bin, 'npm'),
    `#!/bin/bash\n[ "$1 $2 $3 $4" = "exec --no -- tenantctl" ] || { echo "unexpected npm $*" >&2; exit 99; }\nshift 4\n` +
      `if [ "$1" = changed ] && [ -n "$FAKE_CHANGED" ]; then cat "$FAKE_CHANGED"; exit 0; fi\nexec "${process.execPath}" "${cliPath}" "$@"\n`,
    { mode: 0o755 },
  );
  fs.writeFileSync(path.join(bin, 'gh'), '#!/bin/bash\n[ -n "$FAKE_LAST_SUCCESS" ] || exit 1\necho "$FAKE_LAST_SUCCESS"\n', { mode: 0o755 });
  const runnerTemp = opts.env?.RUNNER_TEMP ?? scratchDir('tenantctl-runner-');
  const outputFile = path.join(runnerTemp, 'output');
  const summaryFile = path.join(runnerTemp, 'summary');
  fs.writeFileSync(outputFile, '');
  const scriptFile = path.join(runnerTemp, 'step.sh');
  fs.writeFileSync(scriptFile, script);
  const res = spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', scriptFile], {
    cwd: opts.cwd,
    encoding: 'utf8',
    env: {
      ...process.env,
      PATH: `${bin}${path.delimiter}${path.dirname(process.execPath)}${path.delimiter}${process.env.PATH}`,
      CI: 'true',
      CHECKPOINT_DISABLE: '1',
      GITHUB_OUTPUT: outputFile,
      GITHUB_STEP_SUMMARY: summaryFile,
      GITHUB_REPOSITORY: 'acme/platform',
      GITHUB_EVENT_NAME: 'push',
      FAKE_CHANGED: '',
      FAKE_LAST_SUCCESS: '',
      ...opts.env,
      RUNNER_TEMP: runnerTemp,
    },
  });
  const outputs: Record<string, string> = {};
  for (const line of fs.readFileSync(outputFile, 'utf8').split('\n').filter(Boolean)) {
    const i = line.indexOf('=');
    outputs[line.slice(0, i)] = line.slice(i + 1);
  }
  return { status: res.status, stdout: res.stdout, stderr: res.stderr, outputs, runnerTemp };
}

/** A comment already on the pull request. */
export interface ExistingComment {
  readonly id: number;
  readonly body: string;
  readonly user: { readonly type: string };
}

/** A call the comment script made on the stub GitHub client. */
export interface GithubCall {
  readonly method: 'listComments' | 'createComment' | 'updateComment';
  readonly args: any;
}

/** The comment script with these environment variables, on a pull request with `existing` comments; the calls it made. */
export async function runCommentScript(
  script: string,
  vars: Record<string, string>,
  existing: readonly ExistingComment[] = [],
): Promise<GithubCall[]> {
  const calls: GithubCall[] = [];
  const github = {
    paginate: async (_fn: unknown, args: unknown) => {
      calls.push({ method: 'listComments', args });
      return existing;
    },
    rest: {
      issues: {
        listComments: () => undefined,
        updateComment: async (args: unknown) => calls.push({ method: 'updateComment', args }),
        createComment: async (args: unknown) => calls.push({ method: 'createComment', args }),
      },
    },
  };
  const context = {
    serverUrl: 'https://github.com',
    repo: { owner: 'acme', repo: 'platform' },
    runId: 42,
    payload: { pull_request: { number: 7, head: { sha: 'abcdef0123456789' } } },
  };
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  Object.assign(process.env, vars);
  try {
    const AsyncFunction = Object.getPrototypeOf(async () => undefined).constructor;
    await new AsyncFunction('require', 'github', 'context', script)(require, github, context);
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
  return calls;
}

/** The body of the comment the script wrote (created or updated). */
export const commentBody = (calls: readonly GithubCall[]): string =>
  calls.find((c) => c.method === 'createComment' || c.method === 'updateComment')?.args.body ?? '';
