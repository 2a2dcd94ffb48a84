import { Duration } from 'aws-cdk-lib';
import type * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import type * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as route53targets from 'aws-cdk-lib/aws-route53-targets';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import type { StageConfig } from '../config';
import { acknowledge } from '../compliance/acknowledgements';
import { SecurityHeaders } from './security-headers';

/** Properties of a {@link ContentDistribution}. */
export interface ContentDistributionProps {
  /** The viewer-facing domain. */
  readonly domainName: string;
  /** Viewer certificate (ACM, us-east-1). */
  readonly certificate: acm.ICertificate;
  /** CloudFront-scope web ACL (WAF-EDGE). */
  readonly webAclArn: string;
  /** The content API's internal load balancer (a VPC origin). */
  readonly loadBalancer: elbv2.IApplicationLoadBalancer;
  /** Name CloudFront connects to and verifies on the load balancer's certificate. */
  readonly originDomainName: string;
  /** Assets bucket, read through Origin Access Control. */
  readonly assetsBucket: s3.IBucket;
  /** Price class and geo restriction from the stage config. */
  readonly edge: StageConfig['edge'];
  /**
   * Hosted zone for the alias records of the domain.
   * @default - no records; point the domain at the distribution yourself
   */
  readonly hostedZone?: route53.IHostedZone;
}

/** Longest time an API response is cached: as long as its `stale-if-error` allows. */
export const API_MAX_TTL = Duration.days(1);

/** Cached error responses: client errors briefly, server errors not at all. */
export const ERROR_CACHING_SECONDS: Readonly<Record<number, number>> = {
  400: 5,
  403: 5,
  404: 10,
  405: 10,
  500: 0,
  502: 0,
  503: 0,
  504: 0,
};

/**
 * Origin Access Control for a bucket whose policy lives in its own stack (which
 * admits this account's distributions): only adds the OAC id to the origin.
 */
class PolicyManagedBucketOrigin extends origins.S3BucketOrigin {
  constructor(
    bucket: s3.IBucket,
    private readonly oac: cloudfront.IOriginAccessControl,
  ) {
    super(bucket);
  }

  override bind(
    scope: Construct,
    options: cloudfront.OriginBindOptions,
  ): cloudfront.OriginBindConfig {
    const config = super.bind(scope, options);
    return {
      ...config,
      originProperty: {
        ...config.originProperty!,
        originAccessControlId: this.oac.originAccessControlId,
      },
    };
  }
}

/**
 * The CloudFront distribution in front of everything (ENC-TRANSIT, HDR-SECURE,
 * AVL-CDN): TLS 1.2+ viewers only (HTTP redirected), HTTP/2 and HTTP/3, the edge web
 * ACL; the API through its VPC origin over TLS 1.2, cached only as its
 * `Cache-Control` allows and keyed on the `Authorization` header, so one key's
 * response is never served to another; assets from S3 through Origin Access
 * Control, cached long; security headers on every response.
 */
export class ContentDistribution extends Construct {
  /** The distribution. */
  readonly distribution: cloudfront.Distribution;
  /** Cache policy of the API routes. */
  readonly apiCachePolicy: cloudfront.CachePolicy;

  constructor(scope: Construct, id: string, props: ContentDistributionProps) {
    super(scope, id);
    const headers = new SecurityHeaders(this, 'SecurityHeaders');

    this.apiCachePolicy = new cloudfront.CachePolicy(this, 'ApiCache', {
      comment: 'Content API: cached per API key, only as Cache-Control allows',
      minTtl: Duration.seconds(0),
      defaultTtl: Duration.seconds(0),
      maxTtl: API_MAX_TTL,
      headerBehavior: cloudfront.CacheHeaderBehavior.allowList('Authorization'),
      queryStringBehavior: cloudfront.CacheQueryStringBehavior.all(),
      cookieBehavior: cloudfront.CacheCookieBehavior.none(),
      enableAcceptEncodingGzip: true,
      enableAcceptEncodingBrotli: true,
    });
    const apiRequests = new cloudfront.OriginRequestPolicy(this, 'ApiRequests', {
      comment: 'Content API: the request headers it reads besides Authorization',
      headerBehavior: cloudfront.OriginRequestHeaderBehavior.allowList(
        'Content-Type',
        'If-Match',
        'If-None-Match',
      ),
      queryStringBehavior: cloudfront.OriginRequestQueryStringBehavior.all(),
      cookieBehavior: cloudfront.OriginRequestCookieBehavior.none(),
    });

    const api = origins.VpcOrigin.withApplicationLoadBalancer(props.loadBalancer, {
      domainName: props.originDomainName,
      protocolPolicy: cloudfront.OriginProtocolPolicy.HTTPS_ONLY,
      originSslProtocols: [cloudfront.OriginSslPolicy.TLS_V1_2],
      readTimeout: Duration.seconds(30),
    });
    const apiBehavior: cloudfront.BehaviorOptions = {
      origin: api,
      viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
      allowedMethods: cloudfront.AllowedMethods.ALLOW_ALL,
      cachedMethods: cloudfront.CachedMethods.CACHE_GET_HEAD,
      cachePolicy: this.apiCachePolicy,
      originRequestPolicy: apiRequests,
      responseHeadersPolicy: headers.policy,
      compress: true,
    };
    const oac = new cloudfront.S3OriginAccessControl(this, 'AssetsAccess', {
      signing: cloudfront.Signing.SIGV4_ALWAYS,
    });

    this.distribution = new cloudfront.Distribution(this, 'Resource', {
      comment: `Bulwark ${props.domainName}`,
      domainNames: [props.domainName],
      certificate: props.certificate,
      minimumProtocolVersion: cloudfront.SecurityPolicyProtocol.TLS_V1_2_2025,
      sslSupportMethod: cloudfront.SSLMethod.SNI,
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      enableIpv6: true,
      priceClass: props.edge.priceClass as cloudfront.PriceClass,
      geoRestriction:
        props.edge.geoRestriction.type === 'none'
          ? undefined
          : props.edge.geoRestriction.type === 'allow'
            ? cloudfront.GeoRestriction.allowlist(...props.edge.geoRestriction.countries)
            : cloudfront.GeoRestriction.denylist(...props.edge.geoRestriction.countries),
      webAclId: props.webAclArn,
      // Unknown paths reach the ALB, which answers a JSON 404.
      defaultBehavior: apiBehavior,
      additionalBehaviors: {
        '/v1/*': apiBehavior,
        '/health': { ...apiBehavior, cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED },
        '/assets/*': {
          origin: new PolicyManagedBucketOrigin(props.assetsBucket, oac),
          viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
          allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
          cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
          responseHeadersPolicy: headers.policy,
          compress: true,
        },
      },
      errorResponses: Object.entries(ERROR_CACHING_SECONDS).map(([status, ttl]) => ({
        httpStatus: Number(status),
        ttl: Duration.seconds(ttl),
      })),
    });

    for (const name of ['cdnVendedAccessLogs', 'apiHasNoRootObject', 'singleApiOrigin'] as const) {
      acknowledge(this.distribution, name);
    }
    if (props.edge.geoRestriction.type === 'none') {
      acknowledge(this.distribution, 'geoRestrictionByConfig');
    }

    if (props.hostedZone) {
      const target = route53.RecordTarget.fromAlias(
        new route53targets.CloudFrontTarget(this.distribution),
      );
      new route53.ARecord(this, 'AliasV4', {
        zone: props.hostedZone,
        recordName: props.domainName,
        target,
      });
      new route53.AaaaRecord(this, 'AliasV6', {
        zone: props.hostedZone,
        recordName: props.domainName,
        target,
      });
    }
  }
}
