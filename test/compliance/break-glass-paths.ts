import type { StageConfig } from '../../lib/config';
import { physicalNames } from '../../lib/config';
import { API_DB_USER, OPERATOR_DB_USER } from '../../lib/constructs/database';
import {
  BREAK_GLASS_TAG,
  sessionLogPrefix,
} from '../../lib/constructs/break-glass-session-document';
import type { Principal } from '../support/iam/policy-evaluator';
import type { StageModel } from '../support/iam/stage-model';
import type { AccessPath } from './access-paths';

/**
 * The break-glass path (ACC-DATA): what the operator's role does to open a recorded
 * session (launch the access instance from its template, pass its role, start the
 * session with the Bulwark document, end it), what the access instance does (the
 * Session Manager agent, session log delivery, psql through the proxy as the
 * operator user), and what neither of them may do.
 *
 * Request context follows the EC2 and Systems Manager authorization references:
 * RunInstances is authorized per resource with `ec2:LaunchTemplate` and
 * `ec2:IsLaunchTemplateResource`; StartSession with the instance's tags and
 * `ssm:SessionDocumentAccessCheck` when the caller names a document.
 */
export function breakGlassPaths(model: StageModel, cfg: StageConfig) {
  const account = model.account;
  const region = cfg.region;
  const role = (arn: string): Principal => ({ kind: 'role', arn, account });
  const names = physicalNames(cfg);
  const operatorRole = model.only('Security', 'AWS::IAM::Role', 'BreakGlassRole');
  const operator = role(model.arnOf(operatorRole));
  if (model.arnOf(operatorRole) !== `arn:aws:iam::${account}:role/${names.breakGlassRole}`) {
    throw new Error(`the break-glass role should be named ${names.breakGlassRole}`);
  }
  const instanceRoleArn = model.arnOf(
    model.only('Security', 'AWS::IAM::Role', 'BreakGlassInstanceRole'),
  );
  const instance = role(instanceRoleArn);
  const template = model.only('Security', 'AWS::EC2::LaunchTemplate', 'BreakGlassLaunchTemplate');
  const templateArn = `arn:aws:ec2:${region}:${account}:launch-template/${model.ref('Security', template.logicalId)}`;
  const ec2 = (resource: string) => `arn:aws:ec2:${region}:${account}:${resource}`;
  const instanceArn = ec2('instance/i-0abcd1234efgh5678');
  const fromTemplate = { 'ec2:LaunchTemplate': templateArn };
  const appSubnet = model.resources('AWS::EC2::Subnet').find((s) => s.logicalId.includes('App'))!;
  const dataSubnet = model.resources('AWS::EC2::Subnet').find((s) => s.logicalId.includes('Data'))!;
  const accessGroup = model.only(
    'Network',
    'AWS::EC2::SecurityGroup',
    'SecurityGroupsBreakGlassAccess',
  );
  const apiGroup = model.only('Network', 'AWS::EC2::SecurityGroup', 'SecurityGroupsApiFunction');
  const groupArn = (g: typeof accessGroup) =>
    ec2(`security-group/${model.attribute('Network', g.logicalId, 'GroupId')}`);
  const sessionKey = model.arnOf(model.only('Security', 'AWS::KMS::Key', 'BreakGlassSessionKey'));
  const auditKey = model.arnOf(model.only('Security', 'AWS::KMS::Key', 'AuditKey'));
  const bucket = model.arnOf(
    model.only('Security', 'AWS::S3::Bucket', 'BreakGlassSessionLogBucket'),
  );
  const logGroup = `arn:aws:logs:${region}:${account}:log-group:${names.breakGlassLogGroup}`;
  const document = `arn:aws:ssm:${region}:${account}:document/${names.breakGlassSessionDocument}`;
  const tagged = { [`aws:ResourceTag/${BREAK_GLASS_TAG}`]: cfg.name };
  const proxy = model.only('Data', 'AWS::RDS::DBProxy', 'DatabasePrimaryProxy');
  const dbUser = (user: string) =>
    `arn:aws:rds-db:${region}:${account}:dbuser:${model.arnOf(proxy).split(':')[6]}/${user}`;
  const backupObject = `${model.arnOf(model.only('Data', 'AWS::S3::Bucket', 'BackupBucket'))}/backups/${cfg.name}/2026/01/02/run-1/manifest.json`;
  const transcript = `${bucket}/${sessionLogPrefix(cfg.name)}/operator-0a1b2c3d4e5f.log`;
  const viaS3 = {
    'kms:ViaService': `s3.${region}.amazonaws.com`,
    'kms:EncryptionContext:aws:s3:arn': bucket,
  };

  const operators: AccessPath[] = [
    {
      name: 'break-glass role: ec2:RunInstances of the access launch template',
      principal: operator,
      action: 'ec2:RunInstances',
      resource: templateArn,
    },
    ...[
      'instance/i-0abcd1234efgh5678',
      'volume/vol-0abcd1234',
      'network-interface/eni-0abcd1234',
    ].map((r) => ({
      name: `break-glass role: ec2:RunInstances creates ${r.split('/')[0]} from the template`,
      principal: operator,
      action: 'ec2:RunInstances',
      resource: ec2(r),
      context: { ...fromTemplate, 'ec2:InstanceType': 't4g.micro' },
    })),
    {
      name: "break-glass role: ec2:RunInstances uses the template's security group",
      principal: operator,
      action: 'ec2:RunInstances',
      resource: groupArn(accessGroup),
      context: { ...fromTemplate, 'ec2:IsLaunchTemplateResource': true },
    },
    {
      name: "break-glass role: ec2:RunInstances uses the template's image",
      principal: operator,
      action: 'ec2:RunInstances',
      resource: `arn:aws:ec2:${region}::image/ami-0abcdef1234567890`,
      context: { ...fromTemplate, 'ec2:IsLaunchTemplateResource': true },
    },
    {
      name: 'break-glass role: ec2:RunInstances into an App subnet',
      principal: operator,
      action: 'ec2:RunInstances',
      resource: ec2(`subnet/${model.ref('Network', appSubnet.logicalId)}`),
      context: fromTemplate,
    },
    {
      name: 'break-glass role: iam:PassRole of the instance role to EC2',
      principal: operator,
      action: 'iam:PassRole',
      resource: instanceRoleArn,
      context: { 'iam:PassedToService': 'ec2.amazonaws.com' },
    },
    {
      name: 'break-glass role: ec2:CreateTags at launch',
      principal: operator,
      action: 'ec2:CreateTags',
      resource: instanceArn,
      context: { 'ec2:CreateAction': 'RunInstances' },
    },
    ...['kms:CreateGrant', 'kms:GenerateDataKeyWithoutPlaintext', 'kms:Decrypt'].map((action) => ({
      name: `break-glass role: ${action} of the volume key through EC2`,
      principal: operator,
      action,
      resource: sessionKey,
      context: {
        'kms:ViaService': `ec2.${region}.amazonaws.com`,
        'kms:GrantIsForAWSResource': true,
      },
    })),
    {
      name: 'break-glass role: ssm:StartSession on a tagged access instance',
      principal: operator,
      action: 'ssm:StartSession',
      resource: instanceArn,
      context: { ...tagged, 'ssm:SessionDocumentAccessCheck': true },
    },
    {
      name: 'break-glass role: ssm:StartSession with the Bulwark session document',
      principal: operator,
      action: 'ssm:StartSession',
      resource: document,
      context: { 'ssm:SessionDocumentAccessCheck': true },
    },
    {
      name: 'break-glass role: kms:GenerateDataKey of the session channel key',
      principal: operator,
      action: 'kms:GenerateDataKey',
      resource: sessionKey,
    },
    {
      name: 'break-glass role: ec2:TerminateInstances of a tagged access instance',
      principal: operator,
      action: 'ec2:TerminateInstances',
      resource: instanceArn,
      context: tagged,
    },
    ...['ec2:DescribeInstances', 'ssm:DescribeInstanceInformation'].map((action) => ({
      name: `break-glass role: ${action}`,
      principal: operator,
      action,
      resource: '*',
    })),
    {
      name: 'access instance: ssm:UpdateInstanceInformation (the agent registers)',
      principal: instance,
      action: 'ssm:UpdateInstanceInformation',
      resource: instanceArn,
    },
    ...['ssmmessages:CreateControlChannel', 'ssmmessages:OpenDataChannel'].map((action) => ({
      name: `access instance: ${action}`,
      principal: instance,
      action,
      resource: '*',
    })),
    {
      name: 'access instance: kms:Decrypt of the session channel key',
      principal: instance,
      action: 'kms:Decrypt',
      resource: sessionKey,
    },
    ...['logs:CreateLogStream', 'logs:PutLogEvents'].map((action) => ({
      name: `access instance: ${action} into the session log group`,
      principal: instance,
      action,
      resource: `${logGroup}:log-stream:operator-0a1b2c3d4e5f`,
    })),
    {
      name: 'access instance: logs:DescribeLogGroups (the encryption check)',
      principal: instance,
      action: 'logs:DescribeLogGroups',
      resource: `arn:aws:logs:${region}:${account}:log-group:*`,
    },
    {
      name: 'access instance: s3:PutObject of a session transcript',
      principal: instance,
      action: 's3:PutObject',
      resource: transcript,
    },
    {
      name: 'access instance: s3:GetEncryptionConfiguration of the session bucket',
      principal: instance,
      action: 's3:GetEncryptionConfiguration',
      resource: bucket,
    },
    ...['kms:GenerateDataKey', 'kms:Decrypt'].map((action) => ({
      name: `access instance: ${action} of the audit key through S3 for the session bucket`,
      principal: instance,
      action,
      resource: auditKey,
      context: viaS3,
    })),
    {
      name: `access instance: rds-db:connect as ${OPERATOR_DB_USER}`,
      principal: instance,
      action: 'rds-db:connect',
      resource: dbUser(OPERATOR_DB_USER),
    },
  ];

  const denials: AccessPath[] = [
    {
      name: 'the break-glass role cannot launch an instance without the access template',
      principal: operator,
      action: 'ec2:RunInstances',
      resource: instanceArn,
      context: { 'ec2:InstanceType': 't4g.micro' },
    },
    {
      name: 'the break-glass role cannot launch from another launch template',
      principal: operator,
      action: 'ec2:RunInstances',
      resource: ec2('launch-template/lt-0123456789abcdef0'),
    },
    {
      name: 'the break-glass role cannot launch a larger instance type from the template',
      principal: operator,
      action: 'ec2:RunInstances',
      resource: instanceArn,
      context: { ...fromTemplate, 'ec2:InstanceType': 'm7g.16xlarge' },
    },
    {
      name: "the break-glass role cannot launch with an image that is not the template's",
      principal: operator,
      action: 'ec2:RunInstances',
      resource: `arn:aws:ec2:${region}::image/ami-0fedcba9876543210`,
      context: { ...fromTemplate, 'ec2:IsLaunchTemplateResource': false },
    },
    {
      name: "the break-glass role cannot launch with the content API's security group",
      principal: operator,
      action: 'ec2:RunInstances',
      resource: groupArn(apiGroup),
      context: { ...fromTemplate, 'ec2:IsLaunchTemplateResource': false },
    },
    {
      name: 'the break-glass role cannot launch into a Data subnet',
      principal: operator,
      action: 'ec2:RunInstances',
      resource: ec2(`subnet/${model.ref('Network', dataSubnet.logicalId)}`),
      context: fromTemplate,
    },
    {
      name: 'the break-glass role cannot pass the instance role to another service',
      principal: operator,
      action: 'iam:PassRole',
      resource: instanceRoleArn,
      context: { 'iam:PassedToService': 'lambda.amazonaws.com' },
    },
    {
      name: 'the break-glass role cannot tag an existing instance',
      principal: operator,
      action: 'ec2:CreateTags',
      resource: instanceArn,
      context: { 'ec2:CreateAction': 'CreateTags' },
    },
    {
      name: 'the break-glass role cannot start a session on an instance without the break-glass tag',
      principal: operator,
      action: 'ssm:StartSession',
      resource: instanceArn,
      context: { 'ssm:SessionDocumentAccessCheck': true },
    },
    {
      name: 'the break-glass role cannot start a session with the default shell document',
      principal: operator,
      action: 'ssm:StartSession',
      resource: `arn:aws:ssm:${region}:${account}:document/SSM-SessionManagerRunShell`,
      context: { 'ssm:SessionDocumentAccessCheck': true },
    },
    {
      name: 'the break-glass role cannot terminate an instance that is not an access instance',
      principal: operator,
      action: 'ec2:TerminateInstances',
      resource: instanceArn,
    },
    {
      name: `the break-glass role cannot connect to the database itself (as ${OPERATOR_DB_USER})`,
      principal: operator,
      action: 'rds-db:connect',
      resource: dbUser(OPERATOR_DB_USER),
    },
    ...['s3:GetObject', 's3:ListBucket'].map((action) => ({
      name: `the break-glass role cannot ${action} in the backup vault`,
      principal: operator,
      action,
      resource: action === 's3:ListBucket' ? backupObject.split('/backups/')[0] : backupObject,
    })),
    {
      name: 'the break-glass role cannot read a session transcript',
      principal: operator,
      action: 's3:GetObject',
      resource: transcript,
    },
    {
      name: 'the break-glass role cannot delete the session log group',
      principal: operator,
      action: 'logs:DeleteLogGroup',
      resource: `${logGroup}:*`,
    },
    {
      name: 'the break-glass role cannot decrypt with the audit key',
      principal: operator,
      action: 'kms:Decrypt',
      resource: auditKey,
      context: { 'kms:ViaService': `s3.${region}.amazonaws.com` },
    },
    {
      name: 'the break-glass role cannot read the master secret',
      principal: operator,
      action: 'secretsmanager:GetSecretValue',
      resource: model.arnOf(model.only('Data', 'AWS::SecretsManager::Secret', 'DatabaseSecret')),
    },
    {
      name: `the access instance cannot connect as ${API_DB_USER}`,
      principal: instance,
      action: 'rds-db:connect',
      resource: dbUser(API_DB_USER),
    },
    {
      name: 'the access instance cannot read the backup vault',
      principal: instance,
      action: 's3:GetObject',
      resource: backupObject,
    },
    {
      name: "the access instance cannot read back a session transcript (its own or another's)",
      principal: instance,
      action: 's3:GetObject',
      resource: transcript,
    },
    {
      name: 'the access instance cannot delete a session transcript',
      principal: instance,
      action: 's3:DeleteObject',
      resource: transcript,
    },
    {
      name: 'the access instance cannot read the session log group',
      principal: instance,
      action: 'logs:GetLogEvents',
      resource: `${logGroup}:log-stream:operator-0a1b2c3d4e5f`,
    },
    {
      name: 'the access instance cannot decrypt with the audit key except for the session bucket',
      principal: instance,
      action: 'kms:Decrypt',
      resource: auditKey,
      context: {
        'kms:ViaService': `s3.${region}.amazonaws.com`,
        'kms:EncryptionContext:aws:s3:arn': `arn:aws:s3:::bulwark-${cfg.name}-audit-trail`,
      },
    },
    {
      name: 'the access instance cannot write transcripts outside its stage prefix',
      principal: instance,
      action: 's3:PutObject',
      resource: `${bucket}/elsewhere/x.log`,
    },
  ];
  return { operators, denials };
}
