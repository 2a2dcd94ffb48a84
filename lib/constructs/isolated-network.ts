import { Fn, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { acknowledge } from '../compliance/acknowledgements';
import { EncryptedLogGroup } from './encrypted-log-group';

/** Properties of an {@link IsolatedNetwork}. */
export interface IsolatedNetworkProps {
  /** IPv4 range of the VPC. */
  readonly cidr: string;
  /** Availability zones to span (≥ 2). */
  readonly availabilityZones: string[];
  /** Customer key for the flow-log group. */
  readonly logKey: kms.IKey;
  /** Flow-log retention in days (RET-DATA). */
  readonly logRetentionDays: number;
  /**
   * Also the endpoints a Fargate task needs to pull its image from ECR (the export task
   * of `backup.runner: "fargate"`); its layers come through the S3 gateway endpoint and
   * its logs through the Logs endpoint, which every network has.
   * @default false
   */
  readonly containerImages?: boolean;
  /**
   * The interface endpoints of {@link INTERFACE_ENDPOINTS}; a network with no workload
   * (the recovery region's, which holds only the database replica) needs none.
   * @default true
   */
  readonly interfaceEndpoints?: boolean;
  /**
   * The internet gateway CloudFront VPC origins need attached (no route uses it).
   * @default true
   */
  readonly vpcOriginGateway?: boolean;
}

/**
 * The first `count` availability zones of the stack's region, as CloudFormation
 * resolves them at deploy time (`Fn::GetAZs`).
 */
export function availabilityZoneTokens(count: number): string[] {
  return Array.from({ length: count }, (_, i) => Fn.select(i, Fn.getAzs()));
}

/**
 * Interface endpoints every Lambda and the secret rotation need without internet
 * access. X-Ray: functions in the isolated subnets trace actively, and their trace
 * segments leave the VPC only through its endpoint. SSM, SSM Messages and EC2
 * Messages: the Session Manager agent of the break-glass access instance registers
 * and opens its session channels through them (ACC-DATA).
 */
export const INTERFACE_ENDPOINTS = {
  SecretsManager: ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER,
  Kms: ec2.InterfaceVpcEndpointAwsService.KMS,
  Logs: ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS,
  Monitoring: ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_MONITORING,
  Sqs: ec2.InterfaceVpcEndpointAwsService.SQS,
  Sts: ec2.InterfaceVpcEndpointAwsService.STS,
  Xray: ec2.InterfaceVpcEndpointAwsService.XRAY,
  Ssm: ec2.InterfaceVpcEndpointAwsService.SSM,
  SsmMessages: ec2.InterfaceVpcEndpointAwsService.SSM_MESSAGES,
  Ec2Messages: ec2.InterfaceVpcEndpointAwsService.EC2_MESSAGES,
} as const;

/** Name of an interface endpoint of the network. */
export type InterfaceEndpointName = keyof typeof INTERFACE_ENDPOINTS;

/** Interface endpoints of a network whose Fargate tasks pull images ({@link IsolatedNetworkProps.containerImages}). */
export const CONTAINER_IMAGE_ENDPOINTS = {
  EcrApi: ec2.InterfaceVpcEndpointAwsService.ECR,
  EcrDocker: ec2.InterfaceVpcEndpointAwsService.ECR_DOCKER,
} as const;

/** Name of an interface endpoint that only networks with container images have. */
export type ContainerImageEndpointName = keyof typeof CONTAINER_IMAGE_ENDPOINTS;

/**
 * A VPC with no route to the internet (ACC-DATA, NET-SG): isolated subnets for the
 * data tier and for Lambdas in every configured AZ, no NAT gateway, and an internet
 * gateway that no route uses (CloudFront VPC origins require one to be attached);
 * AWS APIs reached through gateway and interface endpoints that admit only the
 * groups allowed to use them; every flow logged to an encrypted log group (MON-AUDIT).
 */
export class IsolatedNetwork extends Construct {
  /** The VPC. */
  readonly vpc: ec2.Vpc;
  /** Security group of every interface endpoint (HTTPS in, nothing out). */
  readonly endpointSecurityGroup: ec2.SecurityGroup;
  /** Interface endpoints by name (the container-image ones only where asked for). */
  readonly endpoints: Record<InterfaceEndpointName, ec2.InterfaceVpcEndpoint> &
    Partial<Record<ContainerImageEndpointName, ec2.InterfaceVpcEndpoint>>;
  /** Log group receiving VPC flow logs. */
  readonly flowLogGroup: EncryptedLogGroup;

  constructor(scope: Construct, id: string, props: IsolatedNetworkProps) {
    super(scope, id);
    this.vpc = new ec2.Vpc(this, 'Vpc', {
      ipAddresses: ec2.IpAddresses.cidr(props.cidr),
      availabilityZones: props.availabilityZones,
      natGateways: 0,
      createInternetGateway: false,
      restrictDefaultSecurityGroup: true,
      subnetConfiguration: [
        { name: 'Data', subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
        { name: 'App', subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      ],
      gatewayEndpoints: {
        S3: { service: ec2.GatewayVpcEndpointAwsService.S3 },
        DynamoDb: { service: ec2.GatewayVpcEndpointAwsService.DYNAMODB },
      },
    });

    // CloudFront VPC origins need an internet gateway attached to the VPC. No route
    // table points at it, so nothing in the VPC can reach the internet through it.
    if (props.vpcOriginGateway ?? true) {
      const gateway = new ec2.CfnInternetGateway(this, 'VpcOriginGateway');
      new ec2.CfnVPCGatewayAttachment(this, 'VpcOriginGatewayAttachment', {
        vpcId: this.vpc.vpcId,
        internetGatewayId: gateway.ref,
      });
    }

    const provider = Stack.of(this).node.tryFindChild(
      'Custom::VpcRestrictDefaultSGCustomResourceProvider',
    );
    if (provider) acknowledge(provider, 'cdkProviderOutsideVpc');

    this.flowLogGroup = new EncryptedLogGroup(this, 'FlowLogGroup', {
      encryptionKey: props.logKey,
      retentionDays: props.logRetentionDays,
    });
    const flowLog = this.vpc.addFlowLog('FlowLog', {
      destination: ec2.FlowLogDestination.toCloudWatchLogs(this.flowLogGroup),
      trafficType: ec2.FlowLogTrafficType.ALL,
      maxAggregationInterval: ec2.FlowLogMaxAggregationInterval.ONE_MINUTE,
    });
    acknowledge(
      flowLog.node.findChild('IAMRole').node.findChild('DefaultPolicy'),
      'cdkGeneratedRolePolicy',
    );

    this.endpointSecurityGroup = new ec2.SecurityGroup(this, 'EndpointSecurityGroup', {
      vpc: this.vpc,
      description: 'VPC interface endpoints: HTTPS from Bulwark workloads only',
      allowAllOutbound: false,
    });
    const endpoints = {} as Record<string, ec2.InterfaceVpcEndpoint>;
    const services = {
      ...((props.interfaceEndpoints ?? true) ? INTERFACE_ENDPOINTS : {}),
      ...(props.containerImages ? CONTAINER_IMAGE_ENDPOINTS : {}),
    };
    for (const [name, service] of Object.entries(services)) {
      endpoints[name] = this.vpc.addInterfaceEndpoint(`${name}Endpoint`, {
        service,
        subnets: { subnetGroupName: 'App' },
        securityGroups: [this.endpointSecurityGroup],
        privateDnsEnabled: true,
        open: false,
      });
    }
    this.endpoints = endpoints as IsolatedNetwork['endpoints'];
  }

  /** Subnets for the data tier (database, proxy). */
  get dataSubnets(): ec2.SubnetSelection {
    return { subnetGroupName: 'Data' };
  }

  /** Subnets for VPC-attached Lambdas. */
  get appSubnets(): ec2.SubnetSelection {
    return { subnetGroupName: 'App' };
  }
}
