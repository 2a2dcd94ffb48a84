import { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { parseStackName, stageStackPattern } from '../../../lib/stage-layout';
import type { PolicyDocument, Statement } from './policy-evaluator';

/**
 * One stage's deployed account, as far as its synthesized templates say: every
 * resource with the physical name and ARN it would have, intrinsic functions
 * resolved (within a stack, across stacks through exports, and across regions
 * through CDK's SSM-backed references), the identity policies of every role and
 * the resource policies of every key, bucket, queue, topic and function.
 *
 * Physical names that CloudFormation generates are stood in for by
 * `<stack>-<logicalId>`; names a template sets are used as written.
 */

/** A resource of one stack, properties resolved. */
export interface ModelResource {
  readonly stack: string;
  /** `Network`, `Data`, ... */
  readonly part: string;
  readonly region: string;
  readonly logicalId: string;
  readonly type: string;
  readonly properties: Record<string, any>;
  /** The raw template entry (DeletionPolicy, DependsOn, unresolved properties). */
  readonly raw: Record<string, any>;
}

interface StackEntry {
  readonly name: string;
  readonly part: string;
  readonly region: string;
  readonly template: {
    Resources: Record<string, any>;
    Outputs?: Record<string, any>;
    Parameters?: Record<string, any>;
  };
}

/** The account's partition in every ARN Bulwark deploys (commercial regions only, PHY-DC). */
const PARTITION = 'aws';

export class StageModel {
  readonly account: string;
  private readonly stacks: StackEntry[];
  private readonly exports = new Map<string, { stack: StackEntry; value: unknown }>();
  private readonly crossRegion = new Map<string, { stack: StackEntry; value: unknown }>();
  private readonly resolved = new Map<string, ModelResource>();

  /**
   * @param assemblyDir a cloud assembly (e.g. the shared `cdk.out.test`)
   * @param title the stage's title in stack names (`Staging`)
   */
  constructor(assemblyDir: string, title: string) {
    const artifacts = new CloudAssembly(assemblyDir, { topoSort: false }).stacks.filter(
      (a) => parseStackName(a.id)?.title === title,
    );
    this.stacks = artifacts.map((a) => ({
      name: a.id,
      part: parseStackName(a.id)!.part,
      region: a.environment.region,
      template: a.template,
    }));
    if (artifacts.length === 0) {
      throw new Error(`No stacks ${stageStackPattern(title)} in ${assemblyDir}`);
    }
    this.account = artifacts[0].environment.account;
    for (const stack of this.stacks) {
      for (const output of Object.values<any>(stack.template.Outputs ?? {})) {
        if (output.Export?.Name) {
          this.exports.set(this.resolveIn(stack, output.Export.Name) as string, {
            stack,
            value: output.Value,
          });
        }
      }
      for (const r of Object.values<any>(stack.template.Resources)) {
        if (r.Type === 'Custom::CrossRegionExportWriter') {
          for (const [param, value] of Object.entries(r.Properties.WriterProps.exports)) {
            this.crossRegion.set(param, { stack, value });
          }
        }
      }
    }
  }

  /** Every resource of the stage (optionally of one type), properties resolved. */
  resources(type?: string): ModelResource[] {
    return this.stacks.flatMap((stack) =>
      Object.entries(stack.template.Resources)
        .filter(([, r]) => !type || r.Type === type)
        .map(([logicalId]) => this.resource(stack.part, logicalId)),
    );
  }

  /** The resource `logicalId` of stack part `part`. */
  resource(part: string, logicalId: string): ModelResource {
    const key = `${part}/${logicalId}`;
    const cached = this.resolved.get(key);
    if (cached) return cached;
    const stack = this.stackOf(part);
    const raw = stack.template.Resources[logicalId];
    if (!raw) throw new Error(`No resource ${logicalId} in ${stack.name}`);
    const resource: ModelResource = {
      stack: stack.name,
      part,
      region: stack.region,
      logicalId,
      type: raw.Type,
      properties: this.resolveIn(stack, raw.Properties ?? {}) as Record<string, any>,
      raw,
    };
    this.resolved.set(key, resource);
    return resource;
  }

  /** The one resource of `type` in `part` whose logical id starts with `prefix`. */
  only(part: string, type: string, prefix: string): ModelResource {
    const found = this.resources(type).filter(
      (r) => r.part === part && r.logicalId.startsWith(prefix),
    );
    if (found.length !== 1) {
      throw new Error(`expected one ${type} ${prefix}* in ${part}, found ${found.length}`);
    }
    return found[0];
  }

  /** What `{ "Ref": logicalId }` returns in `part`. */
  ref(part: string, logicalId: string): string {
    return this.refIn(this.stackOf(part), logicalId);
  }

  /** What `{ "Fn::GetAtt": [logicalId, attribute] }` returns in `part`. */
  attribute(part: string, logicalId: string, attribute: string): string {
    return this.getAttIn(this.stackOf(part), logicalId, attribute);
  }

  /** The ARN of a resource (its `Arn`-like attribute, or its `Ref` where that is the ARN). */
  arnOf(resource: ModelResource): string {
    return this.arn(this.stackOf(resource.part), resource.logicalId);
  }

  /** The identity policies attached to the role with this ARN, wherever they are defined. */
  identityPolicies(roleArn: string): PolicyDocument[] {
    const role = this.resources('AWS::IAM::Role').find((r) => this.arnOf(r) === roleArn);
    if (!role) throw new Error(`No role ${roleArn} in the stage`);
    const name = this.ref(role.part, role.logicalId);
    const attached = (p: ModelResource) => (p.properties.Roles ?? []).includes(name);
    return [
      ...(role.properties.Policies ?? []).map((p: any) => p.PolicyDocument),
      ...this.resources('AWS::IAM::Policy')
        .filter(attached)
        .map((p) => p.properties.PolicyDocument),
      ...this.resources('AWS::IAM::ManagedPolicy')
        .filter(
          (p) => attached(p) || (role.properties.ManagedPolicyArns ?? []).includes(this.arnOf(p)),
        )
        .map((p) => p.properties.PolicyDocument),
    ];
  }

  /** The role a function runs with: its ARN and identity policies. */
  functionRole(fn: ModelResource): string {
    if (fn.type !== 'AWS::Lambda::Function') throw new Error(`${fn.logicalId} is no function`);
    return fn.properties.Role as string;
  }

  /**
   * The resource policy that governs `arn`: a key policy, bucket policy (for the
   * bucket and its objects), queue or topic policy, or a function's permissions.
   */
  resourcePolicy(arn: string): { document?: PolicyDocument; isKmsKey: boolean } {
    const key = this.resources('AWS::KMS::Key').find((k) => this.arnOf(k) === arn);
    if (key) return { document: key.properties.KeyPolicy, isKmsKey: true };
    if (arn.startsWith(`arn:${PARTITION}:s3:::`)) {
      const bucketName = arn.slice(`arn:${PARTITION}:s3:::`.length).split('/')[0];
      const policy = this.resources('AWS::S3::BucketPolicy').find(
        (p) => p.properties.Bucket === bucketName,
      );
      return { document: policy?.properties.PolicyDocument, isKmsKey: false };
    }
    const queue = this.resources('AWS::SQS::Queue').find((q) => this.arnOf(q) === arn);
    if (queue) {
      const url = this.ref(queue.part, queue.logicalId);
      const policy = this.resources('AWS::SQS::QueuePolicy').find((p) =>
        (p.properties.Queues ?? []).includes(url),
      );
      return { document: policy?.properties.PolicyDocument, isKmsKey: false };
    }
    if (arn.includes(':sns:')) {
      const policy = this.resources('AWS::SNS::TopicPolicy').find((p) =>
        (p.properties.Topics ?? []).includes(arn),
      );
      return { document: policy?.properties.PolicyDocument, isKmsKey: false };
    }
    if (arn.includes(':lambda:')) {
      return { document: this.functionPermissions(arn), isKmsKey: false };
    }
    return { isKmsKey: false };
  }

  /** `AWS::Lambda::Permission` resources of a function, as the policy Lambda builds from them. */
  private functionPermissions(functionArn: string): PolicyDocument | undefined {
    const fn = this.resources('AWS::Lambda::Function').find((f) => this.arnOf(f) === functionArn);
    if (!fn) return undefined;
    const names = [this.ref(fn.part, fn.logicalId), functionArn];
    const statements = this.resources('AWS::Lambda::Permission')
      .filter((p) => names.includes(p.properties.FunctionName))
      .map((p): Statement => {
        const principal = String(p.properties.Principal);
        const condition: Record<string, Record<string, string>> = {};
        if (p.properties.SourceArn) {
          condition.ArnLike = { 'AWS:SourceArn': p.properties.SourceArn };
        }
        if (p.properties.SourceAccount) {
          condition.StringEquals = { 'AWS:SourceAccount': p.properties.SourceAccount };
        }
        return {
          Sid: p.logicalId,
          Effect: 'Allow' as const,
          Principal: principal.endsWith('.amazonaws.com')
            ? { Service: principal }
            : { AWS: principal },
          Action: p.properties.Action,
          Resource: functionArn,
          ...(Object.keys(condition).length > 0 && { Condition: condition }),
        };
      });
    return statements.length > 0 ? { Version: '2012-10-17', Statement: statements } : undefined;
  }

  private stackOf(part: string): StackEntry {
    const stack = this.stacks.find((s) => s.part === part);
    if (!stack) throw new Error(`No stack part ${part}`);
    return stack;
  }

  /** Resolves CloudFormation intrinsics in `value` as `stack` would see them. */
  private resolveIn(stack: StackEntry, value: unknown): unknown {
    if (Array.isArray(value)) return value.map((v) => this.resolveIn(stack, v));
    if (value === null || typeof value !== 'object') return value;
    const o = value as Record<string, any>;
    const keys = Object.keys(o);
    if (keys.length === 1) {
      const [fn] = keys;
      const arg = o[fn];
      switch (fn) {
        case 'Ref':
          return this.refIn(stack, arg);
        case 'Fn::GetAtt': {
          const [id, attr] = typeof arg === 'string' ? arg.split('.') : arg;
          return this.getAttIn(stack, id, attr);
        }
        case 'Fn::Join': {
          const [sep, parts] = arg;
          return (this.resolveIn(stack, parts) as unknown[]).map(String).join(sep);
        }
        case 'Fn::Select': {
          const [index, items] = this.resolveIn(stack, arg) as [number, unknown[]];
          return items[Number(index)];
        }
        case 'Fn::Split': {
          const [sep, source] = arg;
          return String(this.resolveIn(stack, source)).split(sep);
        }
        case 'Fn::Sub': {
          const [text, vars] = typeof arg === 'string' ? [arg, {}] : arg;
          return String(text).replace(/\$\{([^}]+)\}/g, (_: string, name: string) => {
            if (name in vars) return String(this.resolveIn(stack, vars[name]));
            const [id, attr] = name.split('.');
            return attr ? this.getAttIn(stack, id, attr) : this.refIn(stack, id);
          });
        }
        case 'Fn::ImportValue': {
          const name = this.resolveIn(stack, arg) as string;
          const exported = this.exports.get(name);
          if (!exported) throw new Error(`${stack.name} imports ${name}, which no stack exports`);
          return this.resolveIn(exported.stack, exported.value);
        }
        case 'Fn::GetAZs':
          return ['a', 'b', 'c'].map((z) => `${stack.region}${z}`);
        default:
          break;
      }
    }
    return Object.fromEntries(keys.map((k) => [k, this.resolveIn(stack, o[k])]));
  }

  private pseudo(stack: StackEntry, name: string): string | undefined {
    switch (name) {
      case 'AWS::AccountId':
        return this.account;
      case 'AWS::Region':
        return stack.region;
      case 'AWS::Partition':
        return PARTITION;
      case 'AWS::URLSuffix':
        return 'amazonaws.com';
      case 'AWS::StackName':
        return stack.name;
      case 'AWS::StackId':
        return `arn:${PARTITION}:cloudformation:${stack.region}:${this.account}:stack/${stack.name}/00000000-0000-4000-8000-${stack.part
          .toLowerCase()
          .padEnd(12, '0')
          .slice(0, 12)
          .replace(/[^0-9a-f]/g, '0')}`;
      default:
        return undefined;
    }
  }

  /** The physical name CloudFormation would give, or the one the template sets. */
  private physicalName(stack: StackEntry, logicalId: string): string {
    const r = stack.template.Resources[logicalId];
    const nameKey: Record<string, string> = {
      'AWS::IAM::Role': 'RoleName',
      'AWS::IAM::ManagedPolicy': 'ManagedPolicyName',
      'AWS::S3::Bucket': 'BucketName',
      'AWS::SQS::Queue': 'QueueName',
      'AWS::SNS::Topic': 'TopicName',
      'AWS::Lambda::Function': 'FunctionName',
      'AWS::DynamoDB::Table': 'TableName',
      'AWS::Logs::LogGroup': 'LogGroupName',
      'AWS::Events::Rule': 'Name',
      'AWS::CloudTrail::Trail': 'TrailName',
      'AWS::CloudWatch::Alarm': 'AlarmName',
      'AWS::WAFv2::IPSet': 'Name',
      'AWS::WAFv2::WebACL': 'Name',
      'AWS::SSM::Parameter': 'Name',
      'AWS::RDS::DBInstance': 'DBInstanceIdentifier',
      'AWS::SecretsManager::Secret': 'Name',
      'AWS::Scheduler::Schedule': 'Name',
      'AWS::ECS::Cluster': 'ClusterName',
      'AWS::ECS::TaskDefinition': 'Family',
    };
    const key = nameKey[r.Type];
    const set = key ? r.Properties?.[key] : undefined;
    if (set !== undefined) return String(this.resolveIn(stack, set));
    const generated = `${stack.name}-${logicalId}`;
    return r.Type === 'AWS::S3::Bucket' ? generated.toLowerCase() : generated;
  }

  private refIn(stack: StackEntry, id: string): string {
    const pseudo = this.pseudo(stack, id);
    if (pseudo !== undefined) return pseudo;
    const r = stack.template.Resources[id];
    // A template parameter resolved at deploy time (the AMI id from its public SSM
    // parameter): its stand-in is `<stack>-<parameter>`.
    if (!r && stack.template.Parameters?.[id]) return `${stack.name}-${id}`;
    if (!r) throw new Error(`${stack.name}: Ref to unknown ${id}`);
    const { region } = stack;
    const name = this.physicalName(stack, id);
    switch (r.Type) {
      case 'AWS::KMS::Key':
        return `key-${id.toLowerCase()}`;
      case 'AWS::SQS::Queue':
        return `https://sqs.${region}.amazonaws.com/${this.account}/${name}`;
      case 'AWS::SNS::Topic':
      case 'AWS::IAM::ManagedPolicy':
      case 'AWS::SecretsManager::Secret':
      case 'AWS::ElasticLoadBalancingV2::LoadBalancer':
      case 'AWS::ElasticLoadBalancingV2::TargetGroup':
      case 'AWS::ECS::TaskDefinition':
        return this.arn(stack, id);
      case 'AWS::CloudFront::Distribution':
        return `E${id.slice(0, 12).toUpperCase()}`;
      case 'AWS::Cognito::UserPool':
        return `${region}_${id.slice(0, 9)}`;
      default:
        return name;
    }
  }

  private arn(stack: StackEntry, id: string): string {
    const r = stack.template.Resources[id];
    if (!r) throw new Error(`${stack.name}: no resource ${id}`);
    const { region } = stack;
    const account = this.account;
    const name = this.physicalName(stack, id);
    const a = (service: string, resource: string, inRegion = region) =>
      `arn:${PARTITION}:${service}:${inRegion}:${account}:${resource}`;
    switch (r.Type) {
      case 'AWS::IAM::Role':
        return `arn:${PARTITION}:iam::${account}:role/${name}`;
      case 'AWS::IAM::ManagedPolicy':
        return `arn:${PARTITION}:iam::${account}:policy/${name}`;
      case 'AWS::KMS::Key':
        return a('kms', `key/${this.refIn(stack, id)}`);
      case 'AWS::S3::Bucket':
        return `arn:${PARTITION}:s3:::${name}`;
      case 'AWS::SQS::Queue':
        return a('sqs', name);
      case 'AWS::SNS::Topic':
        return a('sns', name);
      case 'AWS::Lambda::Function':
        return a('lambda', `function:${name}`);
      case 'AWS::DynamoDB::Table':
        return a('dynamodb', `table/${name}`);
      case 'AWS::Logs::LogGroup':
        return a('logs', `log-group:${name}:*`);
      case 'AWS::Events::Rule':
        return a('events', `rule/${name}`);
      case 'AWS::CloudTrail::Trail':
        return a('cloudtrail', `trail/${name}`);
      case 'AWS::CloudWatch::Alarm':
        return a('cloudwatch', `alarm:${name}`);
      case 'AWS::WAFv2::IPSet':
      case 'AWS::WAFv2::WebACL': {
        const scope = r.Properties.Scope === 'CLOUDFRONT' ? 'global' : 'regional';
        const kind = r.Type === 'AWS::WAFv2::IPSet' ? 'ipset' : 'webacl';
        return a('wafv2', `${scope}/${kind}/${name}/${id.toLowerCase()}`);
      }
      case 'AWS::SSM::Parameter':
        return a('ssm', `parameter${name.startsWith('/') ? '' : '/'}${name}`);
      case 'AWS::RDS::DBProxy':
        return a('rds', `db-proxy:prx-${id.toLowerCase()}`);
      case 'AWS::RDS::DBInstance':
        return a('rds', `db:${name}`);
      case 'AWS::SecretsManager::Secret':
        return a('secretsmanager', `secret:${name}-AbCdEf`);
      case 'AWS::CloudFront::Distribution':
        return `arn:${PARTITION}:cloudfront::${account}:distribution/${this.refIn(stack, id)}`;
      case 'AWS::ECS::Cluster':
        return a('ecs', `cluster/${name}`);
      case 'AWS::ECS::TaskDefinition':
        return a('ecs', `task-definition/${name}:1`);
      case 'AWS::Scheduler::Schedule':
        return a('scheduler', `schedule/default/${name}`);
      case 'AWS::ElasticLoadBalancingV2::LoadBalancer':
        return a('elasticloadbalancing', `loadbalancer/app/${name.slice(0, 32)}/0123456789abcdef`);
      case 'AWS::ElasticLoadBalancingV2::TargetGroup':
        return a('elasticloadbalancing', `targetgroup/${name.slice(0, 32)}/0123456789abcdef`);
      case 'AWS::Cognito::UserPool':
        return a('cognito-idp', `userpool/${this.refIn(stack, id)}`);
      default:
        return `<${r.Type} ${stack.name}/${id}>`;
    }
  }

  private getAttIn(stack: StackEntry, id: string, attribute: string): string {
    const r = stack.template.Resources[id];
    if (!r) throw new Error(`${stack.name}: GetAtt of unknown ${id}`);
    if (r.Type === 'Custom::CrossRegionExportReader') {
      const written = this.crossRegion.get(attribute);
      if (!written) throw new Error(`${stack.name} reads ${attribute}, which no stack writes`);
      return this.resolveIn(written.stack, written.value) as string;
    }
    const name = this.physicalName(stack, id);
    switch (attribute) {
      case 'Arn':
      case 'TopicArn':
      case 'DBProxyArn':
      case 'LoadBalancerArn':
      case 'TargetGroupArn':
        return this.arn(stack, id);
      case 'QueueName':
      case 'TopicName':
        return name;
      case 'QueueUrl':
        return this.refIn(stack, id);
      case 'Endpoint':
        return `${name}.proxy-0123456789ab.${stack.region}.rds.amazonaws.com`;
      case 'DbiResourceId':
        return `db-${id.slice(0, 20).toUpperCase()}`;
      case 'Id':
        return id.toLowerCase();
      case 'RegionalDomainName':
        return `${name}.s3.${stack.region}.amazonaws.com`;
      case 'DomainName':
        return r.Type === 'AWS::CloudFront::Distribution'
          ? `${id.toLowerCase()}.cloudfront.net`
          : `${name}.s3.amazonaws.com`;
      case 'LoadBalancerFullName':
        return this.arn(stack, id).split(':loadbalancer/')[1];
      case 'TargetGroupFullName':
        return this.arn(stack, id).split(':').at(-1)!;
      default:
        return `<${stack.name}/${id}.${attribute}>`;
    }
  }
}
