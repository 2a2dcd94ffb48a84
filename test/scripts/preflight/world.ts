/**
 * An AWS account before (or between) deploys of a Bulwark stage, as the AWS APIs
 * describe it, and mocked clients that answer from it. Payloads and errors follow the
 * API references (GetParameter/ParameterNotFound, GetAccountSettings, DescribeHub /
 * InvalidAccessException, DescribeConfigurationRecorders, GetHostedZone /
 * NoSuchHostedZone, DescribeOrderableDBInstanceOptions, DescribeUserPoolDomain, HeadBucket
 * 404/403 without a body, ListTypes, BatchDescribeTypeConfigurations). Nothing reaches AWS.
 */
import {
  BatchDescribeTypeConfigurationsCommand,
  CloudFormationClient,
  CloudFormationServiceException,
  DescribeStacksCommand,
  ListTypesCommand,
} from '@aws-sdk/client-cloudformation';
import { CloudWatchLogsClient, DescribeLogGroupsCommand } from '@aws-sdk/client-cloudwatch-logs';
import {
  CognitoIdentityProviderClient,
  DescribeUserPoolDomainCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import {
  ConfigServiceClient,
  type ConfigurationRecorder,
  DescribeConfigurationRecordersCommand,
  DescribeConfigurationRecorderStatusCommand,
} from '@aws-sdk/client-config-service';
import {
  GetDetectorCommand,
  GuardDutyClient,
  ListDetectorsCommand,
} from '@aws-sdk/client-guardduty';
import {
  GetAccountSettingsCommand,
  LambdaClient,
  LambdaServiceException,
  ListLayersCommand,
} from '@aws-sdk/client-lambda';
import {
  DBInstanceNotFoundFault,
  DescribeDBEngineVersionsCommand,
  DescribeDBInstancesCommand,
  DescribeOrderableDBInstanceOptionsCommand,
  RDSClient,
} from '@aws-sdk/client-rds';
import { GetHostedZoneCommand, NoSuchHostedZone, Route53Client } from '@aws-sdk/client-route-53';
import { HeadBucketCommand, NotFound, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import {
  DescribeHubCommand,
  InvalidAccessException,
  SecurityHubClient,
} from '@aws-sdk/client-securityhub';
import { GetSubscriptionStateCommand, ShieldClient } from '@aws-sdk/client-shield';
import { GetParameterCommand, ParameterNotFound, SSMClient } from '@aws-sdk/client-ssm';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import {
  GetOpenIDConnectProviderCommand,
  IAMClient,
  NoSuchEntityException,
} from '@aws-sdk/client-iam';
import { mockClient } from 'aws-sdk-client-mock';
import type { StageConfig } from '../../../lib/config';
import { projectStage } from '../../../scripts/lib/project-stages';
import { run } from '../../../scripts/lib/preflight/run';

// No real AWS: fake credentials (the documented example keys), no instance metadata.
process.env.AWS_EC2_METADATA_DISABLED = 'true';
process.env.AWS_ACCESS_KEY_ID = 'AKIAIOSFODNN7EXAMPLE';
process.env.AWS_SECRET_ACCESS_KEY = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
delete process.env.AWS_PROFILE;

/** Every client class preflight uses, mocked (all instances, any region). */
export const aws = {
  sts: mockClient(STSClient),
  ssm: mockClient(SSMClient),
  cloudFormation: mockClient(CloudFormationClient),
  lambda: mockClient(LambdaClient),
  guardDuty: mockClient(GuardDutyClient),
  securityHub: mockClient(SecurityHubClient),
  config: mockClient(ConfigServiceClient),
  rds: mockClient(RDSClient),
  cognito: mockClient(CognitoIdentityProviderClient),
  s3: mockClient(S3Client),
  logs: mockClient(CloudWatchLogsClient),
  route53: mockClient(Route53Client),
  shield: mockClient(ShieldClient),
  iam: mockClient(IAMClient),
};

export const stageConfig = (name: 'staging' | 'production'): StageConfig => projectStage(name);

/** SAML metadata of a corporate identity provider, as its metadata URL serves it. */
export const IDP_METADATA = `<?xml version="1.0"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="https://idp.example.com">
  <md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>MIIC8DCCAdigAwIBAgIQ</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://idp.example.com/sso"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>`;

/** What the account holds, per region where it matters. */
export interface World {
  account: string;
  /** Bootstrap version by region; absent = not bootstrapped. */
  bootstrap: Record<string, string>;
  lambda: Record<string, { limit: number; unreserved: number }>;
  /** Runtimes each region's Lambda refuses (ValidationException). */
  unknownRuntimes: string[];
  shield: 'ACTIVE' | 'INACTIVE';
  detectors: string[];
  securityHub?: string;
  recorders: ConfigurationRecorder[];
  recording: boolean;
  /** Hosted zones by id: name with the trailing dot, private or not. */
  zones: Record<string, { name: string; private?: boolean }>;
  /** Orderable `version/class` pairs, and available engine versions. */
  orderable: string[];
  engineVersions: string[];
  /** Cognito domain prefixes taken, by the pool that owns them. */
  domains: Record<string, string>;
  /** Buckets that exist: ours (200) or another account's (403). */
  buckets: Record<string, 'ours' | 'theirs'>;
  logGroups: string[];
  dbInstances: string[];
  /** Stacks that exist, with status, termination protection and outputs. */
  stacks: Record<string, { status: string; outputs?: Record<string, string> }>;
  /** The Control Tower hook by region, with its configuration (undefined: unreadable). */
  controlTowerHook: Record<string, string | undefined>;
  /** The audiences of the account's GitHub OIDC provider; undefined: there is none. */
  githubProvider?: string[];
}

/** A fresh account, bootstrapped, with room for the stage: preflight passes. */
export function readyWorld(cfg: StageConfig): World {
  const regions = [cfg.region, cfg.drRegion, 'us-east-1'];
  return {
    account: cfg.account,
    bootstrap: Object.fromEntries(regions.map((r) => [r, '30'])),
    lambda: Object.fromEntries(regions.map((r) => [r, { limit: 1000, unreserved: 1000 }])),
    unknownRuntimes: [],
    shield: 'ACTIVE',
    detectors: [],
    recorders: [],
    recording: false,
    zones: cfg.edge.hostedZone
      ? { [cfg.edge.hostedZone.id]: { name: `${cfg.edge.hostedZone.name}.` } }
      : {},
    orderable: [`18.3/db.${cfg.database.instanceClass}`],
    engineVersions: ['18.3'],
    domains: {},
    buckets: {},
    logGroups: [],
    dbInstances: [],
    stacks: {},
    controlTowerHook: {},
  };
}

const regionOf = async (getClient: () => { config: { region: () => Promise<string> | string } }) =>
  String(await getClient().config.region());

/** Points every mocked client at `world`. */
export function answerFrom(world: World): void {
  for (const m of Object.values(aws)) m.reset();
  aws.sts.on(GetCallerIdentityCommand).resolves({
    Account: world.account,
    Arn: `arn:aws:sts::${world.account}:assumed-role/Deployer/session`,
    UserId: 'AROAEXAMPLE:session',
  });
  aws.ssm.on(GetParameterCommand).callsFake(async (input, getClient) => {
    const value = world.bootstrap[await regionOf(getClient)];
    if (value === undefined) {
      throw new ParameterNotFound({ $metadata: { httpStatusCode: 400 }, message: '' });
    }
    return { Parameter: { Name: input.Name, Type: 'String', Value: value, Version: 1 } };
  });
  aws.iam.on(GetOpenIDConnectProviderCommand).callsFake(async (input) => {
    if (!world.githubProvider) {
      throw new NoSuchEntityException({
        $metadata: { httpStatusCode: 404 },
        message: `OpenIDConnect Provider not found for arn ${input.OpenIDConnectProviderArn}`,
      });
    }
    return {
      Url: 'token.actions.githubusercontent.com',
      ClientIDList: world.githubProvider,
      ThumbprintList: [],
      CreateDate: new Date('2026-01-01T00:00:00Z'),
    };
  });
  aws.cloudFormation.on(DescribeStacksCommand).callsFake(async (input) => {
    const stack = world.stacks[input.StackName!];
    if (!stack) {
      throw new CloudFormationServiceException({
        name: 'ValidationError',
        $fault: 'client',
        $metadata: { httpStatusCode: 400 },
        message: `Stack with id ${input.StackName} does not exist`,
      });
    }
    return {
      Stacks: [
        {
          StackName: input.StackName,
          StackStatus: stack.status as never,
          CreationTime: new Date('2026-11-01T00:00:00Z'),
          EnableTerminationProtection: true,
          Outputs: Object.entries(stack.outputs ?? {}).map(([OutputKey, OutputValue]) => ({
            OutputKey,
            OutputValue,
          })),
        },
      ],
    };
  });
  const hookArn = (region: string) =>
    `arn:aws:cloudformation:${region}:${world.account}:type/hook/AWS-ControlTower-Hook`;
  aws.cloudFormation.on(ListTypesCommand).callsFake(async (input, getClient) => {
    const region = await regionOf(getClient);
    const active = region in world.controlTowerHook && input.Visibility === 'PUBLIC';
    return {
      TypeSummaries: active
        ? [
            {
              Type: 'HOOK',
              TypeName: 'AWS::ControlTower::Hook',
              TypeArn: hookArn(region),
              IsActivated: true,
            },
          ]
        : [],
    };
  });
  aws.cloudFormation
    .on(BatchDescribeTypeConfigurationsCommand)
    .callsFake(async (_input, getClient) => {
      const region = await regionOf(getClient);
      const configuration = world.controlTowerHook[region];
      return configuration === undefined
        ? {
            TypeConfigurations: [],
            UnprocessedTypeConfigurations: [
              { ErrorCode: 'AccessDenied', ErrorMessage: 'Access denied' },
            ],
          }
        : {
            TypeConfigurations: [
              { TypeArn: hookArn(region), Alias: 'default', Configuration: configuration },
            ],
          };
    });
  aws.lambda.on(GetAccountSettingsCommand).callsFake(async (_input, getClient) => {
    const l = world.lambda[await regionOf(getClient)] ?? { limit: 1000, unreserved: 1000 };
    return {
      AccountLimit: {
        ConcurrentExecutions: l.limit,
        UnreservedConcurrentExecutions: l.unreserved,
        CodeSizeZipped: 52428800,
        CodeSizeUnzipped: 262144000,
        TotalCodeSize: 80530636800,
      },
      AccountUsage: { FunctionCount: 0, TotalCodeSize: 0 },
    };
  });
  aws.lambda.on(ListLayersCommand).callsFake(async (input) => {
    if (world.unknownRuntimes.includes(String(input.CompatibleRuntime))) {
      throw new LambdaServiceException({
        name: 'ValidationException',
        $fault: 'client',
        $metadata: { httpStatusCode: 400 },
        message: `1 validation error detected: Value '${input.CompatibleRuntime}' at 'compatibleRuntime' failed to satisfy constraint: Member must satisfy enum value set`,
      });
    }
    return { Layers: [] };
  });
  aws.shield
    .on(GetSubscriptionStateCommand)
    .callsFake(async () => ({ SubscriptionState: world.shield }));
  aws.guardDuty.on(ListDetectorsCommand).callsFake(async () => ({ DetectorIds: world.detectors }));
  aws.guardDuty
    .on(GetDetectorCommand)
    .resolves({ Status: 'ENABLED', ServiceRole: 'arn:aws:iam::1:role/x' });
  aws.securityHub.on(DescribeHubCommand).callsFake(async () => {
    if (!world.securityHub) {
      throw new InvalidAccessException({
        $metadata: { httpStatusCode: 401 },
        message: `Account ${world.account} is not subscribed to AWS Security Hub`,
        Message: `Account ${world.account} is not subscribed to AWS Security Hub`,
        Code: 'InvalidAccessException',
      });
    }
    return {
      HubArn: world.securityHub,
      SubscribedAt: '2025-01-01T00:00:00.000Z',
      AutoEnableControls: true,
    };
  });
  aws.config
    .on(DescribeConfigurationRecordersCommand)
    .callsFake(async () => ({ ConfigurationRecorders: world.recorders }));
  aws.config.on(DescribeConfigurationRecorderStatusCommand).callsFake(async () => ({
    ConfigurationRecordersStatus: world.recorders.map((r) => ({
      name: r.name,
      recording: world.recording,
      lastStatus: world.recording ? 'Success' : 'Pending',
    })),
  }));
  aws.route53.on(GetHostedZoneCommand).callsFake(async (input) => {
    const zone = world.zones[input.Id!];
    if (!zone)
      throw new NoSuchHostedZone({
        $metadata: { httpStatusCode: 404 },
        message: `No hosted zone found with ID: ${input.Id}`,
      });
    return {
      HostedZone: {
        Id: `/hostedzone/${input.Id}`,
        Name: zone.name,
        CallerReference: 'ref',
        Config: { PrivateZone: zone.private === true },
        ResourceRecordSetCount: 2,
      },
      DelegationSet: { NameServers: ['ns-1.awsdns-01.org'] },
    };
  });
  aws.rds.on(DescribeDBEngineVersionsCommand).callsFake(async (input) => ({
    DBEngineVersions: world.engineVersions
      .filter((v) => v === input.EngineVersion)
      .map((v) => ({
        Engine: 'postgres',
        EngineVersion: v,
        Status: 'available',
        DBParameterGroupFamily: `postgres${v.split('.')[0]}`,
      })),
  }));
  aws.rds.on(DescribeOrderableDBInstanceOptionsCommand).callsFake(async (input) => ({
    OrderableDBInstanceOptions: world.orderable.includes(
      `${input.EngineVersion}/${input.DBInstanceClass}`,
    )
      ? [
          {
            Engine: 'postgres',
            EngineVersion: input.EngineVersion,
            DBInstanceClass: input.DBInstanceClass,
            StorageType: 'gp3',
            Vpc: true,
            MultiAZCapable: true,
          },
        ]
      : [],
  }));
  aws.rds.on(DescribeDBInstancesCommand).callsFake(async (input) => {
    if (!world.dbInstances.includes(input.DBInstanceIdentifier!)) {
      throw new DBInstanceNotFoundFault({
        $metadata: { httpStatusCode: 404 },
        message: `DBInstance ${input.DBInstanceIdentifier} not found.`,
      });
    }
    return {
      DBInstances: [
        { DBInstanceIdentifier: input.DBInstanceIdentifier, DBInstanceStatus: 'available' },
      ],
    };
  });
  aws.cognito.on(DescribeUserPoolDomainCommand).callsFake(async (input) => {
    const pool = world.domains[input.Domain!];
    return {
      DomainDescription: pool
        ? {
            UserPoolId: pool,
            Domain: input.Domain,
            AWSAccountId: world.account,
            Status: 'ACTIVE',
            Version: '1',
          }
        : {},
    };
  });
  // HeadBucket answers with a status and no body (the SDK names a 403 "Unknown").
  aws.s3.on(HeadBucketCommand).callsFake(async (input) => {
    const owner = world.buckets[input.Bucket!];
    if (!owner) throw new NotFound({ $metadata: { httpStatusCode: 404 }, message: 'UnknownError' });
    if (owner === 'theirs' || input.ExpectedBucketOwner !== world.account) {
      throw new S3ServiceException({
        name: 'Unknown',
        $fault: 'client',
        $metadata: { httpStatusCode: 403 },
        message: 'UnknownError',
      });
    }
    return { BucketRegion: 'eu-central-1', $metadata: { httpStatusCode: 200 } };
  });
  aws.logs.on(DescribeLogGroupsCommand).callsFake(async (input) => ({
    logGroups: world.logGroups
      .filter((g) => g.startsWith(input.logGroupNamePrefix!))
      .map((logGroupName) => ({
        logGroupName,
        arn: `arn:aws:logs:eu-west-1:${world.account}:log-group:${logGroupName}:*`,
        creationTime: 1,
      })),
  }));
}

/** Runs `npm run preflight -- <argv>` against the shared test assembly. */
export async function preflight(
  argv: string[],
  env: NodeJS.ProcessEnv = process.env,
  cdkJson?: string,
) {
  let stdout = '';
  let stderr = '';
  const code = await run(argv, {
    cdkJson,
    stdout: (t) => (stdout += `${t}\n`),
    stderr: (t) => (stderr += `${t}\n`),
    env,
  });
  return {
    code,
    stdout,
    stderr,
    results: () =>
      JSON.parse(stdout) as Array<{
        check: string;
        result: string;
        evidence: string;
        fix?: string;
      }>,
  };
}
