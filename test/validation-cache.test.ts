import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, CfnResource, CloudFormationValidatePlugin, Stack } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { useCachedValidation } from '../lib/validation-cache';

let dir: string;
let validated: string[][];
const saved = { ...process.env };

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bulwark-validation-cache-'));
  process.env.BULWARK_SYNTH_CACHE = path.join(dir, 'cache');
  validated = [];
  const original = CloudFormationValidatePlugin.prototype.validate;
  jest.spyOn(CloudFormationValidatePlugin.prototype, 'validate').mockImplementation(function (
    this: CloudFormationValidatePlugin,
    context,
  ) {
    validated.push(context.stackTemplates.map((t) => path.basename(t.templatePath)));
    return original.call(this, context);
  });
});
afterEach(() => {
  jest.restoreAllMocks();
  process.env = { ...saved };
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Synthesizes a good stack (a bucket named `bucketName`) and, with `bad`, one with an unknown property. */
function synth(o: { bad?: boolean; bucketName?: string; builtin?: boolean } = {}) {
  const app = new App({
    outdir: fs.mkdtempSync(path.join(dir, 'out-')),
    builtinCloudFormationValidation: o.builtin,
    context: { '@aws-cdk/core:validateAgainstDefaultRules': true },
  });
  useCachedValidation(app);
  useCachedValidation(app); // once per app, however often it is asked
  const good = new Stack(app, 'Good');
  new s3.Bucket(good, 'Bucket', { bucketName: o.bucketName ?? 'bulwark-one' });
  if (o.bad) {
    const bad = new Stack(app, 'Bad');
    new CfnResource(bad, 'Wrong', { type: 'AWS::S3::Bucket', properties: { NotAProperty: 1 } });
  }
  try {
    app.synth();
    return { error: undefined, outdir: app.outdir };
  } catch (err) {
    return { error: (err as Error).message, outdir: app.outdir };
  }
}

describe('the remembering CloudFormation validation', () => {
  it('validates a passing template once, and a failing one at every synth', () => {
    const first = synth({ bad: true });
    expect(first.error).toMatch(/NotAProperty/);
    expect(validated).toEqual([['Bad.template.json', 'Good.template.json']]);
    const second = synth({ bad: true });
    expect(second.error).toMatch(/NotAProperty.*\(CloudFormation Validate\)/s);
    expect(validated[1]).toEqual(['Bad.template.json']);
    const report = JSON.parse(
      fs.readFileSync(path.join(second.outdir, 'validation-report.json'), 'utf8'),
    );
    const names = report.pluginReports.map((r: { pluginName: string }) => r.pluginName);
    // It takes the built-in validation's place; it does not run beside it.
    expect(names.filter((n: string) => n === 'CloudFormation Validate')).toHaveLength(1);
  });

  it('skips the validator when every template passed before, and validates a changed one', () => {
    expect(synth().error).toBeUndefined();
    expect(synth().error).toBeUndefined();
    expect(validated).toEqual([['Good.template.json']]);
    expect(synth({ bucketName: 'bulwark-two' }).error).toBeUndefined();
    expect(validated).toEqual([['Good.template.json'], ['Good.template.json']]);
  });

  it('validates everything every time with BULWARK_SYNTH_CACHE=off', () => {
    process.env.BULWARK_SYNTH_CACHE = 'off';
    synth();
    synth();
    expect(validated).toEqual([['Good.template.json'], ['Good.template.json']]);
    expect(fs.existsSync(path.join(dir, 'cache'))).toBe(false);
  });

  it('validates, and reports, where it cannot remember', () => {
    const blocked = path.join(dir, 'not-a-directory');
    fs.writeFileSync(blocked, '');
    process.env.BULWARK_SYNTH_CACHE = blocked;
    expect(synth({ bad: true }).error).toMatch(/NotAProperty/);
    expect(synth().error).toBeUndefined();
    expect(validated).toEqual([
      ['Bad.template.json', 'Good.template.json'],
      ['Good.template.json'],
    ]);
  });

  it('stays off with CDK_VALIDATION=false, as the built-in validation does', () => {
    process.env.CDK_VALIDATION = 'false';
    expect(synth({ bad: true }).error).toBeUndefined();
    expect(validated).toEqual([]);
  });

  it('stays off in an app built with builtinCloudFormationValidation: false', () => {
    expect(synth({ bad: true, builtin: false }).error).toBeUndefined();
    expect(validated).toEqual([]);
  });
});
