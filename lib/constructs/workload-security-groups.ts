import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';

/** Properties of {@link WorkloadSecurityGroups}. */
export interface WorkloadSecurityGroupsProps {
  /** The VPC the groups belong to. */
  readonly vpc: ec2.IVpc;
  /** Security group of the VPC interface endpoints. */
  readonly endpointSecurityGroup: ec2.ISecurityGroup;
  /** PostgreSQL port of the database and the proxy. */
  readonly databasePort: number;
  /** Id of CloudFront's origin-facing prefix list: the load balancer's only source. */
  readonly cloudFrontPrefixListId: string;
  /** Id of the region's S3 prefix list (the gateway endpoint's routes). */
  readonly s3PrefixListId: string;
}

/**
 * The stateful firewall between Bulwark's tiers (NET-SG). No group has open
 * egress or any `0.0.0.0/0` ingress; each rule names one peer group and one port:
 *
 * | from | to | port |
 * |---|---|---|
 * | API, backup Lambdas, break-glass access instance | proxy | database port |
 * | API, backup, rotation Lambdas, break-glass access instance | interface endpoints | 443 |
 * | proxy, rotation and migration Lambdas | database | database port |
 * | migration Lambda | interface endpoints | 443 |
 * | CloudFront (origin-facing prefix list) | load balancer | 443 |
 * | backup Lambda, break-glass access instance | S3 (the region's prefix list, gateway endpoint) | 443 |
 *
 * The break-glass access instance reaches S3 for its PostgreSQL client packages
 * (Amazon Linux's repositories are S3 buckets) and its session log uploads.
 */
export class WorkloadSecurityGroups extends Construct {
  /** Application load balancer: admits CloudFront only (a VPC origin). */
  readonly alb: ec2.SecurityGroup;
  /** Content API Lambda. */
  readonly api: ec2.SecurityGroup;
  /** Nightly backup Lambda. */
  readonly backup: ec2.SecurityGroup;
  /** Secrets Manager rotation Lambda of the database secret. */
  readonly rotation: ec2.SecurityGroup;
  /** Schema migration Lambda, run on deploy. */
  readonly migration: ec2.SecurityGroup;
  /** RDS Proxy. */
  readonly proxy: ec2.SecurityGroup;
  /** RDS PostgreSQL instances. */
  readonly database: ec2.SecurityGroup;
  /** On-demand break-glass access instance (Session Manager only, no inbound rule). */
  readonly access: ec2.SecurityGroup;

  constructor(scope: Construct, id: string, props: WorkloadSecurityGroupsProps) {
    super(scope, id);
    const group = (name: string, description: string) =>
      new ec2.SecurityGroup(this, name, { vpc: props.vpc, description, allowAllOutbound: false });

    this.alb = group('Alb', 'Application load balancer: CloudFront only');
    this.api = group('ApiFunction', 'Content API Lambda: proxy and endpoints only');
    this.backup = group('BackupFunction', 'Nightly backup Lambda: proxy and endpoints only');
    this.rotation = group('RotationFunction', 'Secret rotation Lambda: database and endpoints');
    this.migration = group(
      'MigrationFunction',
      'Schema migrations on deploy: database and endpoints',
    );
    this.proxy = group('Proxy', 'RDS Proxy: from the Lambdas, to the database');
    this.database = group('Database', 'PostgreSQL: from the proxy, rotation and migrations only');
    this.access = group(
      'BreakGlassAccess',
      'Break-glass access instance: proxy, endpoints and S3 only, no inbound',
    );

    const db = ec2.Port.tcp(props.databasePort);
    const https = ec2.Port.tcp(443);
    for (const fn of [this.api, this.backup]) {
      fn.connections.allowTo(this.proxy, db, 'Lambda to RDS Proxy');
    }
    for (const fn of [this.api, this.backup, this.rotation, this.migration]) {
      fn.connections.allowTo(props.endpointSecurityGroup, https, 'Lambda to AWS API endpoints');
    }
    this.access.connections.allowTo(this.proxy, db, 'Break-glass psql to RDS Proxy');
    this.access.connections.allowTo(
      props.endpointSecurityGroup,
      https,
      'Break-glass Session Manager agent to AWS API endpoints',
    );
    this.proxy.connections.allowTo(this.database, db, 'RDS Proxy to PostgreSQL');
    this.rotation.connections.allowTo(this.database, db, 'Secret rotation to PostgreSQL');
    this.migration.connections.allowTo(this.database, db, 'Schema migrations to PostgreSQL');
    this.alb.addIngressRule(
      ec2.Peer.prefixList(props.cloudFrontPrefixListId),
      https,
      'HTTPS from CloudFront (VPC origin) only',
    );
    this.backup.addEgressRule(
      ec2.Peer.prefixList(props.s3PrefixListId),
      https,
      'Nightly backup to S3 (gateway endpoint)',
    );
    this.access.addEgressRule(
      ec2.Peer.prefixList(props.s3PrefixListId),
      https,
      'Break-glass packages and session logs to S3 (gateway endpoint)',
    );
  }
}
