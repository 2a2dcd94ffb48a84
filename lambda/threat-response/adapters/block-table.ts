import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { Family } from '../domain/addresses';
import type { BlockRecord } from '../domain/block-record';
import type { BlockTable } from '../domain/ports';
import { BY_EXPIRY_INDEX, KEEP_AFTER_EXPIRY_SECONDS } from '../table-schema';

type Item = BlockRecord & { blockedFamily?: Family; purgeAt: number };

const isConditionFailure = (err: unknown) =>
  (err as Error).name === 'ConditionalCheckFailedException';

/** The blocklist table in DynamoDB; key `address`, sparse index {@link BY_EXPIRY_INDEX}. */
export class DynamoBlockTable implements BlockTable {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async get(address: string): Promise<BlockRecord | undefined> {
    const r = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: { address }, ConsistentRead: true }),
    );
    return r.Item ? toRecord(r.Item as Item) : undefined;
  }

  async put(record: BlockRecord, previousVersion: number | undefined): Promise<boolean> {
    const item: Item = {
      ...record,
      recentSightings: [...record.recentSightings],
      purgeAt: record.expiresAt + KEEP_AFTER_EXPIRY_SECONDS,
      ...(record.status === 'blocked' && { blockedFamily: record.family }),
    };
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: item,
          ...(previousVersion === undefined
            ? { ConditionExpression: 'attribute_not_exists(address)' }
            : {
                ConditionExpression: '#version = :previous',
                ExpressionAttributeNames: { '#version': 'version' },
                ExpressionAttributeValues: { ':previous': previousVersion },
              }),
        }),
      );
      return true;
    } catch (err) {
      if (isConditionFailure(err)) return false;
      throw err;
    }
  }

  /** Records of the expiry index of `family`, soonest expiry first, page after page. */
  private async byExpiry(
    family: Family,
    query: { until?: number; limit?: number },
  ): Promise<BlockRecord[]> {
    const out: BlockRecord[] = [];
    let start: Record<string, unknown> | undefined;
    // A page holds at most 1 MB: a large result takes several.
    do {
      const r = await this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: BY_EXPIRY_INDEX,
          KeyConditionExpression:
            query.until === undefined
              ? 'blockedFamily = :family'
              : 'blockedFamily = :family AND expiresAt <= :now',
          ExpressionAttributeValues:
            query.until === undefined
              ? { ':family': family }
              : { ':family': family, ':now': query.until },
          ScanIndexForward: true,
          Limit: query.limit === undefined ? undefined : query.limit - out.length,
          ExclusiveStartKey: start,
        }),
      );
      out.push(...(r.Items ?? []).map((i) => toRecord(i as Item)));
      start = r.LastEvaluatedKey;
    } while (start && (query.limit === undefined || out.length < query.limit));
    return out;
  }

  oldestBlocked(family: Family, limit: number): Promise<BlockRecord[]> {
    return this.byExpiry(family, { limit });
  }

  expiredBy(family: Family, now: number): Promise<BlockRecord[]> {
    return this.byExpiry(family, { until: now });
  }

  async release(
    address: string,
    status: 'expired' | 'evicted',
    ifExpiredBy?: number,
  ): Promise<boolean> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { address },
          UpdateExpression:
            'SET #status = :status, #version = #version + :one REMOVE blockedFamily',
          ConditionExpression:
            ifExpiredBy === undefined
              ? '#status = :blocked'
              : '#status = :blocked AND expiresAt <= :by',
          ExpressionAttributeNames: { '#status': 'status', '#version': 'version' },
          ExpressionAttributeValues: {
            ':status': status,
            ':blocked': 'blocked',
            ':one': 1,
            ...(ifExpiredBy !== undefined && { ':by': ifExpiredBy }),
          },
        }),
      );
      return true;
    } catch (err) {
      if (isConditionFailure(err)) return false;
      throw err;
    }
  }
}

function toRecord(item: Item): BlockRecord {
  // `blockedFamily` (index key) and `purgeAt` (TTL) are storage details.
  const record: Partial<Item> = { ...item };
  delete record.blockedFamily;
  delete record.purgeAt;
  return { ...(record as BlockRecord), recentSightings: [...(item.recentSightings ?? [])] };
}
