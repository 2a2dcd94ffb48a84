import * as fs from 'node:fs';
import * as path from 'node:path';
import { ExpectedResult, IntegTest, InvocationType } from '@aws-cdk/integ-tests-alpha';
import {
  Aspects,
  CfnResource,
  Duration,
  type IAspect,
  RemovalPolicy,
  Stack,
  type App,
} from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as rds from 'aws-cdk-lib/aws-rds';
import type { IConstruct } from 'constructs';
import { type StageStacks, addStage } from '../../lib/app';
import { loadStageConfigs } from '../../lib/config';
import { HSTS_MIN_SECONDS } from '../../lib/compliance/bulwark-rules';
import { DATABASE_NAME } from '../../lib/constructs/database';
import { SecureFunction } from '../../lib/constructs/secure-function';

/** The example settings the offline snapshot is synthesized with. */
export const EXAMPLE_CONFIG = path.join(__dirname, 'sandbox.example.json');

/** Stage name of the sandbox: its stacks are `Bulwark-Sandbox-*`. */
export const SANDBOX_STAGE = 'sandbox';

/** The stage the sandbox is downscaled from, in `cdk.json`. */
const BASE_STAGE = 'staging';

/** An address no stage trusts and no reserved range holds, for the crafted finding. */
export const CRAFTED_ADDRESS = '1.1.1.1';

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json =>
  v !== null && typeof v === 'object' && !Array.isArray(v);
const merge = (base: Json, over: Json): Json =>
  Object.fromEntries(
    [...new Set([...Object.keys(base), ...Object.keys(over)])].map((k) => [
      k,
      isObject(base[k]) && isObject(over[k]) ? merge(base[k], over[k]) : (over[k] ?? base[k]),
    ]),
  );

/**
 * The sandbox stage: `staging` of cdk.json, downscaled (one read replica, the fewest
 * DR-REPL allows; two AZs; single-AZ database), with the account, regions, domain and
 * names of `override`.
 * Validated by the stage schema: a bad value stops with the key named.
 */
export function sandboxConfig(stages: Json, override: Json) {
  const base = stages[BASE_STAGE];
  if (!isObject(base)) throw new Error(`cdk.json has no stage ${BASE_STAGE} to start from`);
  const downscaled = merge(base, {
    network: { azCount: 2 },
    database: { readReplicas: 1, multiAz: false },
    shield: { advanced: false },
  });
  const [config] = loadStageConfigs({ [SANDBOX_STAGE]: merge(downscaled, override) });
  return config;
}

/**
 * Makes the sandbox destroyable by one command, in the integration test only: no
 * termination protection, no deletion protection, and deletion of what CloudFormation
 * can delete (the database without a final snapshot, the blocklist table, the user
 * pool, secrets, log groups). Buckets and keys stay retained: object-locked backups
 * cannot be deleted before their retention ends, and a key must outlive what it
 * encrypts; `npm run integ` lists them after the destroy.
 */
class Destroyable implements IAspect {
  visit(node: IConstruct): void {
    if (node instanceof Stack) node.terminationProtection = false;
    if (!(node instanceof CfnResource)) return;
    if (node instanceof rds.CfnDBInstance) node.deletionProtection = false;
    if (node instanceof dynamodb.CfnTable) node.deletionProtectionEnabled = false;
    if (node instanceof cognito.CfnUserPool) node.deletionProtection = 'INACTIVE';
    const deletable = [
      'AWS::RDS::DBInstance',
      'AWS::DynamoDB::Table',
      'AWS::Cognito::UserPool',
      'AWS::SecretsManager::Secret',
      'AWS::Logs::LogGroup',
    ];
    if (deletable.includes(node.cfnResourceType)) node.applyRemovalPolicy(RemovalPolicy.DESTROY);
  }
}

/** What the sandbox app holds. */
export interface Sandbox {
  readonly stage: StageStacks;
  readonly assertions: Stack;
  readonly test: IntegTest;
}

/** An EventBridge event of a GuardDuty finding from the project's fixtures. */
function findingEvent(fixture: string, address?: string): Json {
  const file = path.join(__dirname, '..', 'fixtures', 'guardduty', fixture);
  const event = JSON.parse(fs.readFileSync(file, 'utf8')) as Json;
  if (!address) return event;
  // The fixture's one remote address becomes `address`.
  return JSON.parse(JSON.stringify(event).replaceAll('185.220.101.34', address)) as Json;
}

/**
 * Builds the sandbox stage with the real stacks (`addStage`) and an integration test
 * over them (`@aws-cdk/integ-tests-alpha`), whose assertion stack checks, once the
 * stage is deployed: `/health` through CloudFront; a published entry served with the
 * security headers; a backup run writing a manifest; GuardDuty's sample finding
 * ignored and a crafted one blocking its address.
 */
export function buildSandbox(app: App, override: Json): Sandbox {
  const cfg = sandboxConfig(app.node.tryGetContext('stages') as Json, override);
  const stage = addStage(app, cfg);
  Aspects.of(app).add(new Destroyable());

  const assertions = new Stack(app, 'Bulwark-Sandbox-Assertions', {
    env: { account: cfg.account, region: cfg.region },
    description: 'Bulwark sandbox: integration-test assertions (deleted with the sandbox)',
  });
  const test = new IntegTest(app, 'Sandbox', {
    testCases: Object.values(stage).filter((s): s is Stack => s instanceof Stack),
    assertionStack: assertions,
    diffAssets: false,
  });
  const base = `https://${cfg.domainName}`;
  const wait = { totalTimeout: Duration.minutes(20), interval: Duration.seconds(30) };

  // 1. /health through CloudFront, once DNS and the distribution are there.
  test.assertions
    .httpApiCall(`${base}/health`)
    .expect(ExpectedResult.objectLike({ status: 200, body: { status: 'ok' } }))
    .waitForAssertions(wait);

  // 2. A published entry, with a key the fixture mints with the project's own code.
  // Referenced by ARN, as the App stack does: no grant edits the Data stack's key policy.
  const dataKey = kms.Key.fromKeyArn(assertions, 'DataKey', stage.data.dataKey.keyArn);
  const fixture = new SecureFunction(assertions, 'KeyFixture', {
    entry: '../test/integ/fixture/handler.ts',
    description:
      'Bulwark sandbox: creates the integ space and an admin key (integration test only)',
    vpc: stage.network.network.vpc,
    subnets: stage.network.network.appSubnets,
    securityGroup: stage.network.securityGroups.migration,
    logKey: dataKey,
    logRetentionDays: cfg.logRetentionDays,
    memoryMiB: 256,
    timeout: Duration.minutes(1),
    reservedConcurrency: 1,
    environment: {
      DB_SECRET_ARN: stage.data.database.secret.secretArn,
      PEPPER_SECRET_ARN: stage.data.apiKeyPepper.secret.secretArn,
      DB_NAME: DATABASE_NAME,
    },
  });
  fixture.allowSecretRead(stage.data.database.secret.secretArn, dataKey);
  fixture.allowSecretRead(stage.data.apiKeyPepper.secret.secretArn, dataKey);
  const minted = test.assertions.invokeFunction({
    functionName: fixture.functionName,
    invocationType: InvocationType.REQUEST_RESPONSE,
  });
  minted.expect(ExpectedResult.objectLike({ StatusCode: 200 }));
  const key = minted.getAttString('Payload.key');
  const auth = { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' };
  const entries = `${base}/v1/spaces/integ/entries`;
  const created = test.assertions.httpApiCall(entries, {
    method: 'POST',
    headers: auth,
    body: JSON.stringify({ contentType: 'article', slug: 'integ', fields: { title: 'Sandbox' } }),
  });
  created.expect(ExpectedResult.objectLike({ status: 201 }));
  const id = created.getAttString('body.id');
  const published = test.assertions.httpApiCall(`${entries}/${id}/publish`, {
    method: 'POST',
    headers: auth,
  });
  published.expect(ExpectedResult.objectLike({ status: 200 }));
  const read = test.assertions.httpApiCall(`${entries}/${id}`, { headers: auth });
  read.expect(
    ExpectedResult.objectLike({
      status: 200,
      body: { id, slug: 'integ', fields: { title: 'Sandbox' } },
      headers: {
        'strict-transport-security': [`max-age=${HSTS_MIN_SECONDS}; includeSubDomains; preload`],
        'x-content-type-options': ['nosniff'],
      },
    }),
  );
  minted.next(created).next(published).next(read);

  // 3. A backup run writes a manifest into the vault (the sandbox runs the Lambda runner).
  const backupFunction = stage.app.backup.function;
  if (!backupFunction) throw new Error('The sandbox stage must use backup.runner "lambda"');
  const backup = test.assertions.invokeFunction({
    functionName: backupFunction.functionName,
    invocationType: InvocationType.REQUEST_RESPONSE,
  });
  backup.expect(ExpectedResult.objectLike({ StatusCode: 200 }));
  const manifest = test.assertions.awsApiCall('S3', 'headObject', {
    Bucket: stage.data.backupBucket.bucketName,
    Key: backup.getAttString('Payload.manifestKey'),
  });
  manifest.provider.addToRolePolicy({
    Effect: 'Allow',
    Action: ['s3:GetObject'],
    Resource: [stage.data.backupBucket.arnForObjects('backups/*')],
  });
  manifest.provider.addToRolePolicy({
    Effect: 'Allow',
    Action: ['kms:Decrypt'],
    Resource: [stage.data.backupKey.keyArn],
  });
  manifest.expect(ExpectedResult.objectLike({ ServerSideEncryption: 'aws:kms' }));
  backup.next(manifest);

  // 4. Threat response ignores GuardDuty's sample finding and blocks a crafted one.
  const responder = stage.security.threatResponse.function.functionName;
  test.assertions
    .invokeFunction({
      functionName: responder,
      invocationType: InvocationType.REQUEST_RESPONSE,
      payload: JSON.stringify(findingEvent('sample-flag.json')),
    })
    .expect(
      ExpectedResult.objectLike({ StatusCode: 200, Payload: { outcome: 'sample', blocked: [] } }),
    );
  const crafted = test.assertions.invokeFunction({
    functionName: responder,
    invocationType: InvocationType.REQUEST_RESPONSE,
    payload: JSON.stringify(findingEvent('network-connection-inbound.json', CRAFTED_ADDRESS)),
  });
  crafted.expect(ExpectedResult.objectLike({ StatusCode: 200, Payload: { outcome: 'blocked' } }));
  const sets = stage.app.firewall.ipSets;
  const blocklist = test.assertions.awsApiCall('WAFV2', 'getIPSet', {
    Name: sets.blockedV4.name,
    Id: sets.blockedV4.attrId,
    Scope: 'REGIONAL',
  });
  blocklist.provider.addToRolePolicy({
    Effect: 'Allow',
    Action: ['wafv2:GetIPSet'],
    Resource: [sets.blockedV4.attrArn],
  });
  blocklist.expect(ExpectedResult.objectLike({ IPSet: { Addresses: [`${CRAFTED_ADDRESS}/32`] } }));
  crafted.next(blocklist);

  return { stage, assertions, test };
}
