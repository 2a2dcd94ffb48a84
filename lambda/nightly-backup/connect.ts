import { Client, type ClientConfig } from 'pg';

/**
 * Opens connections to the content database with `config`, one per export or
 * restore worker (the function: the proxy with IAM auth; the CLIs: a URL). A
 * connection that dies reports through the query it breaks, not as an unhandled
 * `error` event.
 */
export const connector = (config: ClientConfig) => async (): Promise<Client> => {
  const client = new Client(config);
  client.on('error', () => undefined);
  await client.connect();
  return client;
};
