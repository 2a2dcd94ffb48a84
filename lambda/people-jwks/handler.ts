import type { CloudFormationCustomResourceEvent } from 'aws-lambda';

/** Largest JWKS accepted: it travels in a stack output and a function environment. */
export const MAX_JWKS_CHARS = 3000;

/** What the resource returns: the pool's public JWKS, compact JSON. */
export interface JwksData {
  readonly Jwks: string;
}

type Fetch = typeof fetch;

/** The public JWKS of a user pool, checked to be one (RSA signing keys with ids). */
export async function fetchJwks(region: string, userPoolId: string, get: Fetch = fetch) {
  const url = `https://cognito-idp.${region}.amazonaws.com/${userPoolId}/.well-known/jwks.json`;
  const r = await get(url, { signal: AbortSignal.timeout(10_000) });
  if (!r.ok) throw new Error(`GET ${url} answered ${r.status}`);
  const body = (await r.json()) as { keys?: Array<Record<string, unknown>> };
  const keys = (body.keys ?? []).filter(
    (k) => k.kty === 'RSA' && typeof k.kid === 'string' && typeof k.n === 'string',
  );
  if (keys.length === 0) throw new Error(`${url} holds no RSA signing keys`);
  const jwks = JSON.stringify({
    keys: keys.map(({ alg, e, kid, kty, n, use }) => ({ alg, e, kid, kty, n, use })),
  });
  if (jwks.length > MAX_JWKS_CHARS) throw new Error(`The JWKS of ${userPoolId} is too large`);
  return jwks;
}

/** Sends the custom resource's outcome to CloudFormation's pre-signed URL. */
async function respond(
  event: CloudFormationCustomResourceEvent,
  outcome: { status: 'SUCCESS' | 'FAILED'; reason?: string; data?: JwksData },
  physicalId: string,
  get: Fetch,
) {
  const body = JSON.stringify({
    Status: outcome.status,
    Reason: outcome.reason ?? 'OK',
    PhysicalResourceId: physicalId,
    StackId: event.StackId,
    RequestId: event.RequestId,
    LogicalResourceId: event.LogicalResourceId,
    Data: outcome.data,
  });
  const r = await get(event.ResponseURL, {
    method: 'PUT',
    headers: { 'content-type': '', 'content-length': String(Buffer.byteLength(body)) },
    body,
  });
  if (!r.ok) throw new Error(`CloudFormation response refused: ${r.status}`);
}

/**
 * Custom resource (deploy time, outside the VPC): reads the user pool's public
 * signing keys so that the content API, in isolated subnets, verifies access
 * tokens offline. Cognito does not rotate a pool's keys; a new pool is a new
 * resource and reads its own. Delete does nothing.
 */
export async function handleJwksResource(event: CloudFormationCustomResourceEvent, get: Fetch) {
  const props = event.ResourceProperties as unknown as { UserPoolId: string; Region: string };
  const physicalId = `${props.UserPoolId}-jwks`;
  if (event.RequestType === 'Delete') {
    await respond(event, { status: 'SUCCESS' }, event.PhysicalResourceId, get);
    return;
  }
  try {
    const jwks = await fetchJwks(props.Region, props.UserPoolId, get);
    await respond(event, { status: 'SUCCESS', data: { Jwks: jwks } }, physicalId, get);
  } catch (err) {
    await respond(event, { status: 'FAILED', reason: (err as Error).message }, physicalId, get);
  }
}

/** The Lambda entry point (CloudFormation invokes it with the event alone). */
export const handler = (event: CloudFormationCustomResourceEvent) =>
  handleJwksResource(event, fetch);
