/**
 * Runs the generated workflow's pull request comment script (actions/github-script) as the action
 * would, with these environment variables and a stub GitHub client; returns the comment it writes.
 */
export async function runCommentScript(script: string, vars: Record<string, string>): Promise<string> {
  let body = '';
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  Object.assign(process.env, vars);
  const github = {
    paginate: async () => [],
    rest: {
      issues: {
        listComments: () => undefined,
        createComment: async (args: { body: string }) => (body = args.body),
        updateComment: async () => undefined,
      },
    },
  };
  const context = {
    serverUrl: 'https://github.com',
    repo: { owner: 'acme', repo: 'platform' },
    runId: 1,
    payload: { pull_request: { number: 7, head: { sha: 'abcdef0123' } } },
  };
  try {
    const AsyncFunction = Object.getPrototypeOf(async () => undefined).constructor;
    await new AsyncFunction('require', 'github', 'context', script)(require, github, context);
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
  return body;
}
