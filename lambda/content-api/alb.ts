import type { ALBEvent, ALBResult } from 'aws-lambda';
import type { ApiRequest, ApiResponse } from './http';

const decode = (v: string) => {
  try {
    return decodeURIComponent(v.replace(/\+/g, ' '));
  } catch {
    return v;
  }
};

/**
 * Translates an ALB event into an API request. The ALB passes query strings
 * URL-encoded, as the client sent them; they are decoded here.
 */
export function toApiRequest(event: ALBEvent): ApiRequest {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(event.headers ?? {})) {
    if (v !== undefined) headers[k.toLowerCase()] = v;
  }
  for (const [k, vs] of Object.entries(event.multiValueHeaders ?? {})) {
    if (vs?.length) headers[k.toLowerCase()] = vs[vs.length - 1];
  }
  const query: Record<string, string> = {};
  for (const [k, v] of Object.entries(event.queryStringParameters ?? {})) {
    if (v !== undefined) query[decode(k)] = decode(v);
  }
  for (const [k, vs] of Object.entries(event.multiValueQueryStringParameters ?? {})) {
    if (vs?.length) query[decode(k)] = decode(vs[vs.length - 1]);
  }
  let body = event.body ?? undefined;
  if (body !== undefined && event.isBase64Encoded)
    body = Buffer.from(body, 'base64').toString('utf8');
  return { method: event.httpMethod.toUpperCase(), path: event.path, query, headers, body };
}

const STATUS_TEXT: Record<number, string> = {
  200: 'OK',
  201: 'Created',
  204: 'No Content',
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  412: 'Precondition Failed',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  428: 'Precondition Required',
  500: 'Internal Server Error',
};

/** Translates an API response into the ALB's result shape. */
export function toAlbResult(res: ApiResponse): ALBResult {
  return {
    statusCode: res.status,
    statusDescription: `${res.status} ${STATUS_TEXT[res.status] ?? ''}`.trim(),
    headers: res.headers,
    body: res.body ?? '',
    isBase64Encoded: false,
  };
}
