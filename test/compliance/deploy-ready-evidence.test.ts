import * as fs from 'node:fs';
import * as path from 'node:path';
import { CONTROLS, type CfnJson, type Evidence } from '../../lib/compliance/controls';
import { judgeEvidence } from '../../lib/compliance/report';
import { SHARED_ASSEMBLY_DIR } from '../support/paths';

const control = CONTROLS.find((c) => c.id === 'DEP-READY')!;
const claim = (start: string, stack: string): Evidence =>
  control.evidence.find((e) => e.claim.startsWith(start) && e.stack === stack)!;

function resources(stack: string): Record<string, CfnJson> {
  const file = path.join(SHARED_ASSEMBLY_DIR, `Bulwark-Staging-${stack}.template.json`);
  return JSON.parse(fs.readFileSync(file, 'utf8')).Resources;
}

const judged = (e: Evidence, rs: Record<string, CfnJson>) =>
  judgeEvidence(e, 'Staging', `Bulwark-Staging-${e.stack}`, rs);

const byPrefix = (rs: Record<string, CfnJson>, prefix: string) =>
  Object.entries(rs).find(([id]) => id.startsWith(prefix))!;

describe('DEP-READY evidence on the templates and on the defects it was written for', () => {
  const senders = (stack: string) =>
    claim('every role that sends to an encrypted queue or topic', stack);

  it.each([
    [
      'App',
      [
        'ContentApiFunctionServiceRoleDefaultPolicy',
        'InvalidationOutboxDrainerServiceRoleDefaultPolicy',
        'NightlyBackupFunctionServiceRoleDefaultPolicy',
        'NightlyBackupScheduleRoleDefaultPolicy',
      ],
    ],
    ['Security', ['ThreatResponseFunctionServiceRoleDefaultPolicy']],
  ])('finds every sender to an encrypted queue or topic of %s, each with the key', (stack, ids) => {
    const r = judged(senders(stack), resources(stack));
    expect(r.ok).toBe(true);
    expect(r.matches.map((m) => m.logicalId.replace(/[0-9A-F]{8}$/, '')).sort()).toEqual(ids);
  });

  it.each([
    ['App', 'NightlyBackupScheduleRoleDefaultPolicy'],
    ['App', 'NightlyBackupFunctionServiceRoleDefaultPolicy'],
    ['Security', 'ThreatResponseFunctionServiceRoleDefaultPolicy'],
  ])(
    'fails in %s for %s when it may only sqs:SendMessage (defect 1: the message is lost)',
    (stack, prefix) => {
      const rs = structuredClone(resources(stack));
      const [id, policy] = byPrefix(rs, prefix);
      policy.Properties.PolicyDocument.Statement =
        policy.Properties.PolicyDocument.Statement.filter(
          (st: CfnJson) => !JSON.stringify(st.Condition ?? {}).includes('sqs.'),
        );
      const r = judged(senders(stack), rs);
      expect(r.ok).toBe(false);
      expect(r.failures.map((f) => f.logicalId)).toEqual([id]);
    },
  );

  it('fails a sender whose key grant names another key', () => {
    const rs = structuredClone(resources('Security'));
    const [, policy] = byPrefix(rs, 'ThreatResponseFunctionServiceRoleDefaultPolicy');
    for (const st of policy.Properties.PolicyDocument.Statement)
      if (JSON.stringify(st.Condition ?? {}).includes('sqs.'))
        st.Resource = { 'Fn::GetAtt': ['SomeOtherKey12345678', 'Arn'] };
    expect(judged(senders('Security'), rs).ok).toBe(false);
  });

  describe("CloudTrail's key policy", () => {
    const trailKey = claim("CloudTrail's key policy is AWS's documented one", 'Security');
    const withTrailStatements = (change: (statements: CfnJson[]) => CfnJson[]) => {
      const rs = structuredClone(resources('Security'));
      const [, key] = byPrefix(rs, 'AuditKey');
      const all: CfnJson[] = key.Properties.KeyPolicy.Statement;
      const trail = all.filter((st) => st.Principal?.Service === 'cloudtrail.amazonaws.com');
      key.Properties.KeyPolicy.Statement = [
        ...all.filter((st) => !trail.includes(st)),
        ...change(trail),
      ];
      return judged(trailKey, rs).ok;
    };

    it('holds on the template', () => {
      expect(judged(trailKey, resources('Security')).ok).toBe(true);
    });

    it('fails when DescribeKey needs an encryption context (defect 2: the trail cannot be created)', () => {
      expect(
        withTrailStatements((sts) =>
          sts.map((st) =>
            st.Action === 'kms:DescribeKey'
              ? {
                  ...st,
                  Condition: {
                    StringLike: {
                      'kms:EncryptionContext:aws:cloudtrail:arn': 'arn:aws:cloudtrail:*',
                    },
                  },
                }
              : st,
          ),
        ),
      ).toBe(false);
    });

    it('fails without kms:Decrypt, which the S3 Bucket Key needs (defect 2)', () => {
      expect(withTrailStatements((sts) => sts.filter((st) => st.Action !== 'kms:Decrypt'))).toBe(
        false,
      );
    });

    it('fails when a statement is not scoped to the trail', () => {
      expect(
        withTrailStatements((sts) =>
          sts.map((st) => (st.Action === 'kms:Decrypt' ? { ...st, Condition: undefined } : st)),
        ),
      ).toBe(false);
    });
  });
});
