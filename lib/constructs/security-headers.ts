import { Duration } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import { Construct } from 'constructs';
import { HSTS_MIN_SECONDS } from '../compliance/bulwark-rules';

/**
 * Content-Security-Policy of every response: the API returns JSON and assets are
 * media, so nothing may load, run, frame or submit anything.
 */
export const CONTENT_SECURITY_POLICY =
  "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/** Response headers that reveal the software behind the edge. */
export const SERVER_REVEALING_HEADERS = ['Server', 'X-Powered-By'] as const;

/**
 * The response headers policy of every behaviour (HDR-SECURE): HSTS for two years
 * with subdomains and preload, nosniff, frame denial, no referrer, a CSP that allows
 * nothing, and no server-revealing headers. Edge values override the origin's.
 */
export class SecurityHeaders extends Construct {
  /** The policy. */
  readonly policy: cloudfront.ResponseHeadersPolicy;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.policy = new cloudfront.ResponseHeadersPolicy(this, 'Resource', {
      comment: 'Bulwark security headers (HDR-SECURE)',
      securityHeadersBehavior: {
        strictTransportSecurity: {
          accessControlMaxAge: Duration.seconds(HSTS_MIN_SECONDS),
          includeSubdomains: true,
          preload: true,
          override: true,
        },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: cloudfront.HeadersFrameOption.DENY, override: true },
        referrerPolicy: {
          referrerPolicy: cloudfront.HeadersReferrerPolicy.NO_REFERRER,
          override: true,
        },
        contentSecurityPolicy: { contentSecurityPolicy: CONTENT_SECURITY_POLICY, override: true },
      },
      removeHeaders: [...SERVER_REVEALING_HEADERS],
    });
  }
}
