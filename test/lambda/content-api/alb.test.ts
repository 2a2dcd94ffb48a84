import type { ALBEvent } from 'aws-lambda';
import { toAlbResult, toApiRequest } from '../../../lambda/content-api/alb';
import { json } from '../../../lambda/content-api/http';

const event = (over: Partial<ALBEvent>): ALBEvent => ({
  requestContext: {
    elb: {
      targetGroupArn:
        'arn:aws:elasticloadbalancing:eu-west-1:111111111111:targetgroup/api/0123456789abcdef',
    },
  },
  httpMethod: 'GET',
  path: '/v1/spaces/alpha/entries',
  queryStringParameters: {},
  headers: {},
  body: null,
  isBase64Encoded: false,
  ...over,
});

describe('ALB translation', () => {
  it('decodes the query string the ALB passes on URL-encoded', () => {
    const req = toApiRequest(
      event({
        queryStringParameters: {
          cursor: 'eyJjIjoi%3D%3D',
          contentType: 'blog%2Dpost',
          q: 'a+b',
          'x%20y': '1',
        },
      }),
    );
    expect(req.query).toEqual({
      cursor: 'eyJjIjoi==',
      contentType: 'blog-post',
      q: 'a b',
      'x y': '1',
    });
  });

  it('keeps a malformed escape as sent rather than failing', () => {
    expect(toApiRequest(event({ queryStringParameters: { limit: '%E0%A4%A' } })).query.limit).toBe(
      '%E0%A4%A',
    );
  });

  it('lower-cases header names and prefers the last of multi-value headers', () => {
    const req = toApiRequest(
      event({
        headers: undefined,
        multiValueHeaders: { Authorization: ['Bearer a', 'Bearer b'], 'If-Match': ['3'] },
      }),
    );
    expect(req.headers).toEqual({ authorization: 'Bearer b', 'if-match': '3' });
  });

  it('decodes a base64 body', () => {
    const body = Buffer.from('{"slug":"é"}').toString('base64');
    expect(toApiRequest(event({ httpMethod: 'post', body, isBase64Encoded: true }))).toMatchObject({
      method: 'POST',
      body: '{"slug":"é"}',
    });
  });

  it('answers in the ALB result shape with a status description', () => {
    expect(toAlbResult(json(404, { error: { code: 'not_found', message: 'x' } }))).toMatchObject({
      statusCode: 404,
      statusDescription: '404 Not Found',
      isBase64Encoded: false,
      body: '{"error":{"code":"not_found","message":"x"}}',
      headers: expect.objectContaining({ 'X-Content-Type-Options': 'nosniff' }),
    });
    expect(toAlbResult(json(204, undefined)).body).toBe('');
  });
});
