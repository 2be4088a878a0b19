/**
 * Interactive init as a person meets it: every answer is checked at its prompt with the schema's
 * message and asked again when wrong, and nothing answered before is lost. The prompt library is
 * replaced by a script of answers that calls each prompt's validate the way inquirer does.
 */
import { platformAnswers, type InitPlatformOptions } from '../../src/cli/init';

const asked: { message: string; answer: string; problem?: string }[] = [];
let script: Record<string, string[]> = {};

/** The next scripted answer to the prompt whose message starts with a key of the script (else its default). */
function next(message: string, fallback: string | undefined): string {
  const key = Object.keys(script).find((k) => message.startsWith(k));
  const queue = key ? script[key] : [];
  if (queue.length) return queue.shift()!;
  if (fallback === undefined) throw new Error(`no scripted answer for "${message}" and no default`);
  return fallback;
}

jest.mock('@inquirer/prompts', () => ({
  input: async ({ message, default: fallback, validate }: { message: string; default?: string; validate?: (v: string) => true | string }) => {
    for (;;) {
      const answer = next(message, fallback);
      const verdict = validate ? validate(answer) : true;
      asked.push({ message, answer, ...(verdict === true ? {} : { problem: verdict }) });
      if (verdict === true) return answer;
    }
  },
  select: async ({ message, default: fallback }: { message: string; default?: string }) => {
    const answer = next(message, fallback);
    asked.push({ message, answer });
    return answer;
  },
}));

const options = (extra: Partial<InitPlatformOptions> = {}): InitPlatformOptions => ({ dir: '.', yes: false, force: false, synth: false, ...extra });

describe('GIVEN init platform in a terminal', () => {
  const tty = process.stdin.isTTY;
  const ci = process.env.CI;
  beforeAll(() => {
    Object.defineProperty(process.stdin, 'isTTY', { value: true, configurable: true });
    delete process.env.CI;
  });
  afterAll(() => {
    Object.defineProperty(process.stdin, 'isTTY', { value: tty, configurable: true });
    if (ci !== undefined) process.env.CI = ci;
  });
  beforeEach(() => {
    asked.length = 0;
  });

  test('THEN a wrong answer is refused at its prompt with the schema message and asked again, and the earlier answers are kept', async () => {
    script = {
      'Platform name': ['acme'],
      'AWS account id': ['1234', '111122223333'],
      'VPC CIDR': ['10.0.0.0/33', '10.40.0.0/16'],
      'Availability zones': ['us-east-1a,mars-1a', 'us-east-1a,us-east-1b,us-east-1c'],
      'IAM roles or users': ['arn:aws:s3:::ops-bucket', 'arn:aws:iam::111122223333:role/ops'],
      'Other AWS accounts': ['payments=2222:Payments', 'payments=222233334444:Payment services; analytics=333344445555:Analytics'],
    };
    const config: any = await platformAnswers(options());
    const refused = asked.filter((a) => a.problem).map((a) => [a.message.split(' (')[0], a.answer]);
    expect(refused).toEqual([
      ['AWS account id of the platform', '1234'],
      ['VPC CIDR', '10.0.0.0/33'],
      ['Availability zones', 'us-east-1a,mars-1a'],
      ['IAM roles or users given cluster admin besides whoever applies the platform', 'arn:aws:s3:::ops-bucket'],
      ['Other AWS accounts tenants may live in, as name=accountId:purpose', 'payments=2222:Payments'],
    ]);
    for (const a of asked.filter((x) => x.problem)) expect(a.problem).toMatch(/\S/);
    expect(config).toMatchObject({
      name: 'acme',
      aws: {
        region: 'us-east-1',
        accountId: '111122223333',
        serviceAccounts: [
          { name: 'payments', accountId: '222233334444', purpose: 'Payment services' },
          { name: 'analytics', accountId: '333344445555', purpose: 'Analytics' },
        ],
      },
      network: { vpcCidr: '10.40.0.0/16', availabilityZones: ['us-east-1a', 'us-east-1b', 'us-east-1c'] },
      eks: { adminPrincipalArns: ['arn:aws:iam::111122223333:role/ops'] },
    });
  });

  test('THEN flags given are not asked, and empty answers leave optional settings out', async () => {
    script = {};
    const config: any = await platformAnswers(options({ accountId: '111122223333', name: 'saas' }));
    expect(asked.map((a) => a.message)).not.toContainEqual(expect.stringMatching(/^(Platform name|AWS account id)/));
    expect(config.aws.serviceAccounts).toBeUndefined();
    expect(config.eks.adminPrincipalArns).toBeUndefined();
    expect(config.domain).toBeUndefined();
  });
});
