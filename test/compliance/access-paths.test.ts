import * as path from 'node:path';
import { loadStageConfigs } from '../../lib/config';
import { STAGES } from '../support/assembly';
import { copyOfSharedAssembly, editTemplate } from '../support/assembly-copy';
import { type Decision, type PolicyDocument, evaluate } from '../support/iam/policy-evaluator';
import { sdkCalls } from '../support/iam/sdk-calls';
import { StageModel } from '../support/iam/stage-model';
import { SHARED_ASSEMBLY_DIR } from '../support/paths';
import { projectContext } from '../support/synth';
import {
  type AccessPath,
  FUNCTIONS,
  type RunnerName,
  entryOf,
  stageAccessPaths,
  stageFunctions,
} from './access-paths';

/**
 * DEP-READY: every access path a deployed stage needs is allowed by the synthesized
 * identity and resource policies (key, bucket, queue and topic policies, function
 * permissions), and every denial the design promises holds, judged by an IAM policy
 * evaluator (test/support/iam/policy-evaluator.ts) on the shared templates.
 */
const configs = loadStageConfigs(projectContext().stages);
const ROOT = path.join(__dirname, '..', '..');

/**
 * AWS-managed policies the function roles carry (AWS's published documents, as far
 * as the paths here use them).
 */
const AWS_MANAGED: Record<string, PolicyDocument> = {
  'service-role/AWSLambdaBasicExecutionRole': {
    Statement: [
      {
        Effect: 'Allow',
        Action: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'],
        Resource: '*',
      },
    ],
  },
  'service-role/AWSLambdaVPCAccessExecutionRole': {
    Statement: [
      {
        Effect: 'Allow',
        Action: [
          'logs:CreateLogGroup',
          'logs:CreateLogStream',
          'logs:PutLogEvents',
          'ec2:CreateNetworkInterface',
          'ec2:DescribeNetworkInterfaces',
          'ec2:DescribeSubnets',
          'ec2:DeleteNetworkInterface',
          'ec2:AssignPrivateIpAddresses',
          'ec2:UnassignPrivateIpAddresses',
        ],
        Resource: '*',
      },
    ],
  },
};

/** Judges one path as AWS would, with the context every request over TLS carries. */
function judge(model: StageModel, p: AccessPath): Decision {
  const principal = p.principal;
  let identity: PolicyDocument[] = [];
  if (p.identity) {
    identity = [...p.identity];
  } else if (principal.kind === 'role') {
    const known = model.resources('AWS::IAM::Role').find((r) => model.arnOf(r) === principal.arn);
    if (known) {
      identity = model.identityPolicies(principal.arn);
      for (const managed of known.properties.ManagedPolicyArns ?? []) {
        const name = String(managed).split(':policy/')[1];
        if (AWS_MANAGED[name]) identity.push(AWS_MANAGED[name]);
      }
    } else if (principal.account !== model.account) {
      // Another account's principal (an AWS service account): its own IAM is its affair.
      identity = [{ Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] }];
    }
  }
  const { document, isKmsKey } = model.resourcePolicy(p.resource);
  return evaluate(
    {
      principal,
      action: p.action,
      resource: p.resource,
      resourceAccount: p.resourceAccount ?? model.account,
      context: {
        'aws:SecureTransport': true,
        's3:TlsVersion': 1.3,
        'aws:PrincipalIsAWSService': principal.kind === 'service',
        ...(principal.kind === 'role' && {
          'aws:PrincipalArn': principal.arn,
          'aws:PrincipalAccount': principal.account,
          'kms:CallerAccount': principal.account,
        }),
        ...p.context,
      },
    },
    { identity, resource: document, isKmsKey },
  );
}

const outcome = (model: StageModel, p: AccessPath) => {
  const d = judge(model, p);
  return `${d.result}: ${d.reason}`;
};

describe.each(STAGES)('access paths (%s)', (stage) => {
  const cfg = configs.find((c) => c.title === stage)!;
  const model = new StageModel(SHARED_ASSEMBLY_DIR, stage);
  const { calls, deliveries, operators, denials } = stageAccessPaths(model, cfg);

  describe.each(calls.map((c) => [c.fn, c] as const))('%s', (fn, c) => {
    it("declares every AWS call of the function's code", () => {
      const inCode = sdkCalls(path.join(ROOT, 'lambda', entryOf(fn)));
      const declared = new Set(c.paths.map((p) => p.action));
      const missing = [...inCode].filter(([action]) => !declared.has(action));
      expect(missing).toEqual([]);
    });

    it.each(c.paths.map((p) => [p.name, p] as const))('allows %s', (_, p) => {
      expect(outcome(model, p)).toMatch(/^Allowed/);
    });
  });

  it.each(deliveries.map((p) => [p.name, p] as const))('allows %s', (_, p) => {
    expect(outcome(model, p)).toMatch(/^Allowed/);
  });

  it.each(operators.map((p) => [p.name, p] as const))('allows %s', (_, p) => {
    expect(outcome(model, p)).toMatch(/^Allowed/);
  });

  it.each(denials.map((p) => [p.name, p] as const))('denies: %s', (_, p) => {
    expect(outcome(model, p)).toMatch(/Denied/);
  });

  it('covers every function of the stage that Bulwark writes, and every alarm and rule', () => {
    const fns = model
      .resources('AWS::Lambda::Function')
      .filter((f) =>
        Object.values(FUNCTIONS).some((d) => f.part === d.part && f.logicalId.startsWith(d.prefix)),
      );
    expect(fns.map((f) => f.logicalId).length).toBe(stageFunctions(cfg).length);
    // The export task's code is proven like a function's where it runs.
    expect(calls.some((c) => c.fn === 'export-task')).toBe(cfg.backup.runner === 'fargate');
    const alarms = model.resources('AWS::CloudWatch::Alarm').length;
    expect(
      deliveries.filter((p) => p.name.startsWith('alarm ') && p.action === 'sns:Publish').length,
    ).toBe(alarms);
    expect(
      deliveries.filter((p) => p.name.startsWith('EventBridge rule')).length,
    ).toBeGreaterThanOrEqual(model.resources('AWS::Events::Rule').length);
  });

  const inVpc = stageFunctions(cfg).filter(
    (name) =>
      model.only(FUNCTIONS[name].part, 'AWS::Lambda::Function', FUNCTIONS[name].prefix).properties
        .VpcConfig !== undefined,
  );

  it('knows which functions run in the VPC', () => {
    expect(inVpc.sort()).toEqual(
      [
        'content-api',
        ...(cfg.backup.runner === 'lambda' ? ['nightly-backup'] : []),
        'outbox-drainer',
        'schema-migrator',
      ].sort(),
    );
  });

  /** In-VPC code whose calls leave through endpoints: the functions, and the export task. */
  const inVpcRunners: RunnerName[] = [
    ...inVpc,
    ...(cfg.backup.runner === 'fargate' ? (['export-task'] as const) : []),
  ];
  /** The endpoints a service's calls need, where they are not named as the service. */
  const ENDPOINTS: Record<string, string[]> = {
    cloudwatch: ['monitoring'],
    ecr: ['ecr.api', 'ecr.dkr'],
  };

  it.each(inVpcRunners)(
    '%s in the VPC reaches every AWS service it calls through an endpoint',
    (name) => {
      const endpoints = model
        .resources('AWS::EC2::VPCEndpoint')
        .map((e) => String(e.properties.ServiceName).split('.').slice(3).join('.'));
      // Calls a service makes for the caller (kms:ViaService) and the database token (signed
      // locally) need no endpoint; nor do a function's logs, which Lambda delivers itself. A
      // task's logs and image pulls leave through its network interface.
      const services = new Set(
        calls
          .find((c) => c.fn === name)!
          .paths.filter(
            (p) =>
              !p.context?.['kms:ViaService'] &&
              (name === 'export-task' || !p.action.startsWith('logs:')),
          )
          .map((p) => p.action.split(':')[0])
          .filter((s) => s !== 'rds-db')
          .flatMap((s) => ENDPOINTS[s] ?? [s]),
      );
      expect(services.size).toBeGreaterThan(0);
      if (name === 'export-task')
        expect(services).toEqual(
          new Set(['ecr.api', 'ecr.dkr', 'kms', 'logs', 'monitoring', 's3']),
        );
      expect([...services].filter((s) => !endpoints.includes(s))).toEqual([]);
    },
  );
});

describe('access paths on the templates before the dead-letter fix (defect 1)', () => {
  /**
   * A copy of the shared assembly whose backup schedule and threat-response roles may only
   * sqs:SendMessage to their encrypted dead-letter queues, as the templates once granted.
   */
  function beforeTheFix(): string {
    const dir = copyOfSharedAssembly('bulwark-access-paths-');
    const policies: Record<string, string> = {
      'Bulwark-Staging-App': 'NightlyBackupScheduleRoleDefaultPolicy',
      'Bulwark-Staging-Security': 'ThreatResponseFunctionServiceRoleDefaultPolicy',
    };
    for (const [stack, prefix] of Object.entries(policies)) {
      editTemplate(dir, stack, (template) => {
        const [, policy] = Object.entries<any>(template.Resources).find(([id]) =>
          id.startsWith(prefix),
        )!;
        const doc = policy.Properties.PolicyDocument;
        doc.Statement = doc.Statement.filter(
          (st: any) => !JSON.stringify(st.Condition ?? {}).includes('"sqs.'),
        );
      });
    }
    return dir;
  }

  it("reports the senders that cannot use their dead-letter queue's key", () => {
    const cfg = configs.find((c) => c.title === 'Staging')!;
    const model = new StageModel(beforeTheFix(), 'Staging');
    const { calls, deliveries } = stageAccessPaths(model, cfg);
    const refused = [...calls.flatMap((c) => c.paths), ...deliveries]
      .filter((p) => !/^Allowed/.test(outcome(model, p)))
      .map((p) => p.name);
    expect(refused.sort()).toEqual([
      expect.stringMatching(
        /^backup schedule \(failed run\): kms:Decrypt on NightlyBackupDeadLetters/,
      ),
      expect.stringMatching(
        /^backup schedule \(failed run\): kms:GenerateDataKey on NightlyBackupDeadLetters/,
      ),
      expect.stringMatching(/kms:Decrypt on ThreatResponseDeadLetters/),
      expect.stringMatching(/kms:GenerateDataKey on ThreatResponseDeadLetters/),
    ]);
  });
});
