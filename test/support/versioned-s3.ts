import { Readable } from 'node:stream';
import {
  CompleteMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import type { LocalS3 } from './s3';

/** The S3 requests a versioned bucket answered, as the tests inspect them. */
export interface VersionedS3 {
  /** Every GetObject and HeadObject: key and the version asked for. */
  readonly reads: { command: 'GetObject' | 'HeadObject'; key: string; versionId?: string }[];
  /** The versions of a key, oldest first. */
  versions(key: string): string[];
  restore(): void;
}

const body = (bytes: Buffer) =>
  Object.assign(Readable.from([bytes]), {
    transformToByteArray: async () => new Uint8Array(bytes),
    transformToString: async (encoding?: string) =>
      bytes.toString((encoding ?? 'utf8') as BufferEncoding),
  });

/**
 * Makes every S3Client of the process talk to s3rver (which has no versioning) as S3
 * does to a versioned bucket: each completed write (PutObject, CompleteMultipartUpload)
 * makes a new version and returns its id; GetObject and HeadObject answer with the
 * version asked for (the latest without one, or a replaced version, whose bytes are
 * kept when it is overwritten), and with `NoSuchVersion` for an unknown id. Version
 * ids follow S3's documented behaviour; their format is opaque here too.
 */
export function versionedS3(local: LocalS3): VersionedS3 {
  const real = local.client();
  // The prototype's own send, before the stub replaces it for every client.
  const send = S3Client.prototype.send;
  const mock = mockClient(S3Client);
  const versions = new Map<string, string[]>();
  const replaced = new Map<string, Buffer>();
  const reads: VersionedS3['reads'] = [];
  let next = 0;
  const pass = (command: unknown) => (send as (c: unknown) => Promise<any>).call(real, command);
  const latest = (key: string) => versions.get(key)?.at(-1);

  /** Before a key is overwritten: keep its current bytes under its current version. */
  const keepCurrent = async (bucket: string, key: string) => {
    const current = latest(key);
    if (!current) return;
    const r = await pass(new GetObjectCommand({ Bucket: bucket, Key: key }));
    replaced.set(`${key}\n${current}`, Buffer.from(await r.Body.transformToByteArray()));
  };
  const written = (key: string, output: Record<string, unknown>) => {
    const id = `v${String(++next).padStart(6, '0')}.${Math.random().toString(36).slice(2, 10)}`;
    versions.set(key, [...(versions.get(key) ?? []), id]);
    return { ...output, VersionId: id };
  };
  const noSuchVersion = (key: string, id: string) =>
    Object.assign(new Error(`The specified version ${id} of ${key} does not exist.`), {
      name: 'NoSuchVersion',
      $metadata: { httpStatusCode: 404 },
    });

  mock.send.callsFake(async (command: any) => {
    const input = command.input;
    if (command instanceof PutObjectCommand || command instanceof CompleteMultipartUploadCommand) {
      await keepCurrent(input.Bucket, input.Key);
      return written(input.Key, await pass(command));
    }
    if (command instanceof GetObjectCommand || command instanceof HeadObjectCommand) {
      const isGet = command instanceof GetObjectCommand;
      reads.push({
        command: isGet ? 'GetObject' : 'HeadObject',
        key: input.Key,
        ...(input.VersionId && { versionId: input.VersionId }),
      });
      const wanted: string | undefined = input.VersionId;
      const current = latest(input.Key);
      if (wanted === undefined || wanted === current) {
        const plain = { Bucket: input.Bucket, Key: input.Key };
        const output = await pass(
          isGet ? new GetObjectCommand(plain) : new HeadObjectCommand(plain),
        );
        return current ? { ...output, VersionId: current } : output;
      }
      const kept = replaced.get(`${input.Key}\n${wanted}`);
      if (!kept) throw noSuchVersion(input.Key, wanted);
      return {
        ...(isGet && { Body: body(kept) }),
        ContentLength: kept.length,
        VersionId: wanted,
        $metadata: { httpStatusCode: 200 },
      };
    }
    return pass(command);
  });

  return {
    reads,
    versions: (key) => [...(versions.get(key) ?? [])],
    restore: () => mock.restore(),
  };
}
