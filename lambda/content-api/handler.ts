import { Logger } from '@aws-lambda-powertools/logger';
import type { ALBEvent, ALBResult, Context } from 'aws-lambda';
import { toAlbResult, toApiRequest } from './alb';
import { createRuntime } from './runtime';

const logger = new Logger({ serviceName: 'content-api' });
const runtime = createRuntime(process.env, {
  error: (message, detail) => logger.error(message, detail),
  info: (message, detail) => logger.info(message, detail),
});

/** ALB target: the content API. Never logs headers, so never a key. */
export async function handler(event: ALBEvent, context: Context): Promise<ALBResult> {
  logger.addContext(context);
  const request = toApiRequest(event);
  const response = await runtime.handle(request);
  logger.info('request', { method: request.method, path: request.path, status: response.status });
  return toAlbResult(response);
}
