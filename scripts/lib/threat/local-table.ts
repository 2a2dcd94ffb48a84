import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AddressInfo } from 'node:net';
import { BY_EXPIRY_INDEX } from '../../../lambda/threat-response/table-schema';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const dynalite = require('dynalite') as (o: object) => import('node:http').Server;

/** A DynamoDB-protocol server (dynalite, in memory) holding the blocklist table. */
export interface LocalTable {
  /** `http://127.0.0.1:<port>`, for `AWS_ENDPOINT_URL_DYNAMODB`. */
  readonly endpoint: string;
  readonly tableName: string;
  readonly client: DynamoDBDocumentClient;
  stop(): Promise<void>;
}

/**
 * Starts dynalite on a free loopback port and creates the blocklist table with the
 * key and index the ThreatResponse construct declares.
 */
export async function startLocalTable(tableName = 'bulwark-blocklist'): Promise<LocalTable> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}`;
  const raw = new DynamoDBClient({
    endpoint,
    region: 'eu-west-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  await raw.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: 'address', AttributeType: 'S' },
        { AttributeName: 'blockedFamily', AttributeType: 'S' },
        { AttributeName: 'expiresAt', AttributeType: 'N' },
      ],
      KeySchema: [{ AttributeName: 'address', KeyType: 'HASH' }],
      GlobalSecondaryIndexes: [
        {
          IndexName: BY_EXPIRY_INDEX,
          KeySchema: [
            { AttributeName: 'blockedFamily', KeyType: 'HASH' },
            { AttributeName: 'expiresAt', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        },
      ],
    }),
  );
  const client = DynamoDBDocumentClient.from(raw);
  return {
    endpoint,
    tableName,
    client,
    async stop() {
      client.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
