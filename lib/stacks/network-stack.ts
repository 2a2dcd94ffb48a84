import { Stack, type StackProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import type { StageConfig } from '../config';
import { DATABASE_PORT } from '../constructs/database';
import {
  CLOUDFRONT_ORIGIN_FACING,
  ManagedPrefixList,
  s3PrefixListName,
} from '../constructs/managed-prefix-list';
import { EncryptionKey } from '../constructs/encryption-key';
import { IsolatedNetwork, availabilityZoneTokens } from '../constructs/isolated-network';
import { WorkloadSecurityGroups } from '../constructs/workload-security-groups';

/** Properties of the {@link NetworkStack}. */
export interface NetworkStackProps extends StackProps {
  /** Validated stage configuration. */
  readonly config: StageConfig;
}

/**
 * The isolated VPC, its endpoints and flow logs, and the security groups of every
 * tier (termination-protected: replacing the VPC would replace the database).
 */
export class NetworkStack extends Stack {
  /** VPC, subnets, endpoints and flow logs. */
  readonly network: IsolatedNetwork;
  /** Security groups of the tiers. */
  readonly securityGroups: WorkloadSecurityGroups;
  /** Key of the flow-log group. */
  readonly logKey: EncryptionKey;

  private readonly zones: string[];

  constructor(scope: Construct, id: string, props: NetworkStackProps) {
    super(scope, id, { ...props, terminationProtection: true });
    const cfg = props.config;
    this.zones = availabilityZoneTokens(cfg.network.azCount);
    this.logKey = new EncryptionKey(this, 'NetworkLogKey', {
      alias: `bulwark-${cfg.name}-network-logs`,
      description: 'Bulwark VPC flow logs',
      allowCloudWatchLogs: true,
    });
    this.network = new IsolatedNetwork(this, 'Network', {
      cidr: cfg.network.vpcCidr,
      availabilityZones: this.availabilityZones,
      logKey: this.logKey,
      logRetentionDays: cfg.logRetentionDays,
      // The export task pulls its image through them; the Lambda runner needs none.
      containerImages: cfg.backup.runner === 'fargate',
    });
    // Prefix-list ids differ by region: looked up at deploy time, synthesis stays offline.
    const prefixList = (id: string, prefixListName: string) =>
      new ManagedPrefixList(this, id, {
        prefixListName,
        logKey: this.logKey,
        logRetentionDays: cfg.logRetentionDays,
      }).prefixListId;
    this.securityGroups = new WorkloadSecurityGroups(this, 'SecurityGroups', {
      vpc: this.network.vpc,
      endpointSecurityGroup: this.network.endpointSecurityGroup,
      databasePort: DATABASE_PORT,
      cloudFrontPrefixListId: prefixList('CloudFrontPrefixList', CLOUDFRONT_ORIGIN_FACING),
      s3PrefixListId: prefixList('S3PrefixList', s3PrefixListName(this.region)),
    });
  }

  /**
   * The first `azCount` zones of the region, resolved by CloudFormation
   * (`Fn::GetAZs`): no account lookup, so synthesis works offline.
   */
  override get availabilityZones(): string[] {
    return this.zones;
  }
}
