import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { handleJwksResource } from '../../../lambda/people-jwks/handler';
import { testUserPool } from '../../support/tokens';

/** A local HTTPS-less stand-in for Cognito's JWKS endpoint and CloudFormation's response URL. */
let server: http.Server;
let base: string;
let jwksStatus = 200;
let jwksBody: unknown;
const responses: Record<string, any>[] = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      if (req.method === 'PUT') {
        responses.push(JSON.parse(body));
        res.writeHead(200).end();
      } else {
        res.writeHead(jwksStatus, { 'content-type': 'application/json' });
        res.end(JSON.stringify(jwksBody));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((resolve) => server.close(resolve)));
beforeEach(() => {
  responses.length = 0;
  jwksStatus = 200;
  jwksBody = testUserPool().jwks;
});

// Cognito's URL is served by the local server; the path is kept for the assertion.
const requested: string[] = [];
const localFetch: typeof fetch = (input, init) => {
  const url = String(input);
  requested.push(url);
  return fetch(url.replace(/^https:\/\/cognito-idp\.[^/]+/, base), init);
};

const event = (type: 'Create' | 'Update' | 'Delete') =>
  ({
    RequestType: type,
    ResponseURL: `${base}/cfn-response`,
    StackId: 'arn:aws:cloudformation:eu-west-1:111122223333:stack/Bulwark-Staging-Security/1',
    RequestId: 'req-1',
    LogicalResourceId: 'PeopleJwks',
    ResourceType: 'Custom::UserPoolJwks',
    PhysicalResourceId: 'eu-west-1_TestPool1-jwks',
    ServiceToken: 'arn:aws:lambda:eu-west-1:111122223333:function:reader',
    ResourceProperties: {
      ServiceToken: 'arn:aws:lambda:eu-west-1:111122223333:function:reader',
      UserPoolId: 'eu-west-1_TestPool1',
      Region: 'eu-west-1',
    },
  }) as unknown as CloudFormationCustomResourceEvent;

describe('user pool JWKS reader (custom resource)', () => {
  it('returns the pool’s public keys to CloudFormation', async () => {
    await handleJwksResource(event('Create'), localFetch);
    expect(requested).toContain(
      'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_TestPool1/.well-known/jwks.json',
    );
    expect(responses).toHaveLength(1);
    expect(responses[0]).toMatchObject({
      Status: 'SUCCESS',
      PhysicalResourceId: 'eu-west-1_TestPool1-jwks',
      RequestId: 'req-1',
      LogicalResourceId: 'PeopleJwks',
    });
    const jwks = JSON.parse(responses[0].Data.Jwks);
    expect(jwks.keys[0]).toMatchObject({ kty: 'RSA', kid: 'test-key-1', alg: 'RS256' });
    expect(Object.keys(jwks.keys[0]).sort()).toEqual(['alg', 'e', 'kid', 'kty', 'n', 'use']);
  });

  it.each([
    ['Cognito answers an error', 404, { message: 'User pool not found' }, /answered 404/],
    ['the document holds no RSA keys', 200, { keys: [] }, /no RSA signing keys/],
  ])('fails the deployment when %s', async (_, status, body, reason) => {
    jwksStatus = status;
    jwksBody = body;
    await handleJwksResource(event('Update'), localFetch);
    expect(responses[0].Status).toBe('FAILED');
    expect(responses[0].Reason).toMatch(reason);
  });

  it('does nothing on delete but answer', async () => {
    jwksStatus = 500;
    await handleJwksResource(event('Delete'), localFetch);
    expect(responses).toEqual([expect.objectContaining({ Status: 'SUCCESS' })]);
  });
});
