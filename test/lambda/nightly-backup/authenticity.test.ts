import { gunzipSync, gzipSync } from 'node:zlib';
import { createHash } from 'node:crypto';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { exportDatabase } from '../../../lambda/nightly-backup/export';
import type { Manifest } from '../../../lambda/nightly-backup/manifest';
import { restoreBackup, type RestoreOptions } from '../../../lambda/nightly-backup/restore';
import {
  canonicalJson,
  localKey,
  localSigner,
  signManifest,
  signingMessage,
} from '../../../lambda/nightly-backup/signing';
import { connectTo } from '../../../scripts/lib/backup-cli';
import { localSigning } from '../../support/backup-signing';
import { createTestDatabase, type TestDatabase } from '../../support/database';
import { type LocalS3, startLocalS3 } from '../../support/s3';
import { type VersionedS3, versionedS3 } from '../../support/versioned-s3';
import { ApiHarness } from '../content-api/harness';

let s3: LocalS3;
let api: ApiHarness;
let target: TestDatabase;
let readKeyId = '';

beforeAll(async () => {
  s3 = await startLocalS3();
  api = await ApiHarness.start(['alpha']);
  const writer = await api.key('alpha', 'write');
  readKeyId = (await api.key('alpha', 'read', 'reader')).id;
  for (let i = 0; i < 5; i++) await api.entry('alpha', writer.key, `story-${i}`);
});
afterAll(async () => {
  await api.stop();
  await s3.stop();
});
beforeEach(async () => {
  target = await createTestDatabase({ migrate: false });
});
afterEach(async () => target.drop());

const client = () => s3.client();
const get = async (key: string, versionId?: string) => {
  const r = await client().send(
    new GetObjectCommand({ Bucket: s3.bucket, Key: key, VersionId: versionId }),
  );
  return Buffer.from(await r.Body!.transformToByteArray());
};
const put = (key: string, body: Buffer | string) =>
  client().send(new PutObjectCommand({ Bucket: s3.bucket, Key: key, Body: body }));
const backup = (prefix: string) =>
  exportDatabase({
    connect: connectTo(api.db.url),
    s3: client(),
    bucket: s3.bucket,
    prefix,
    stage: 'test',
    signer: localSigning().signer,
  });
const restore = (manifestKey: string, over: Partial<RestoreOptions> = {}) =>
  restoreBackup({
    s3: client(),
    bucket: s3.bucket,
    manifestKey,
    connect: connectTo(target.url),
    verifier: localSigning().verifier,
    ...over,
  });
/** The target as restore found it: no table at all (it was created empty). */
const tablesOf = async () =>
  (await target.pool.query("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")).rows.map(
    (r) => r.tablename,
  );
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/**
 * The insider's forgery: the `read` key's row in the api_keys export rewritten to
 * `admin`, the object re-uploaded, and the manifest's size and SHA-256 of it (and
 * its uncompressed size) rewritten to match: every checksum restore checks agrees.
 */
const originals = new Map<string, Buffer>();
async function forge(manifest: Manifest): Promise<any> {
  const object = manifest.tables.find((t) => t.name === 'api_keys')!.objects[0];
  if (!originals.has(object.key))
    originals.set(object.key, await get(object.key, object.versionId));
  const rows = gunzipSync(originals.get(object.key)!).toString('utf8');
  const line = rows.split('\n').find((l) => l.startsWith(`${readKeyId}\t`))!;
  expect(line.split('\t')[3]).toBe('read');
  const raised = rows.replace(line, line.replace('\tread\t', '\tadmin\t'));
  const body = gzipSync(Buffer.from(raised, 'utf8'));
  await put(object.key, body);
  const forged = structuredClone(manifest) as any;
  const o = forged.tables.find((t: any) => t.name === 'api_keys').objects[0];
  Object.assign(o, {
    bytes: body.length,
    uncompressedBytes: Buffer.byteLength(raised),
    sha256: sha256(body),
  });
  return forged;
}

describe('a forged backup does not restore', () => {
  let good: { manifest: Manifest; manifestKey: string };
  beforeAll(async () => {
    good = await backup('forgery');
  });

  it('the manifest is signed over its canonical form with the local key', async () => {
    const stored = JSON.parse((await get(good.manifestKey)).toString('utf8'));
    expect(stored.signature).toEqual({
      algorithm: 'HMAC_SHA_256',
      keyId: 'local:default',
      value: expect.stringMatching(/^[A-Za-z0-9+/]{43}=$/),
    });
    const { signature, ...rest } = stored;
    const digest = createHash('sha256').update(canonicalJson(rest)).digest('hex');
    expect(signingMessage(stored).toString('ascii')).toBe(
      `bulwark-backup/1 manifest sha256:${digest}`,
    );
    const { key, keyId } = localKey({});
    expect((await localSigner(key, keyId).sign(signingMessage(stored))).mac).toEqual(
      Buffer.from(signature.value, 'base64'),
    );
    // Key order and whitespace do not change the canonical form.
    expect(canonicalJson({ b: [1, { d: 'x', c: null }], a: 'ü' })).toBe(
      '{"a":"ü","b":[1,{"c":null,"d":"x"}]}',
    );
  });

  it('refuses the forgery with its signature removed (unsigned), leaving the target unchanged', async () => {
    const forged = await forge(good.manifest);
    delete forged.signature;
    await put(good.manifestKey, JSON.stringify(forged));
    await expect(restore(good.manifestKey)).rejects.toThrow(
      `${good.manifestKey}: the manifest is unsigned, so nothing proves the backup wrote it; refusing`,
    );
    expect(await tablesOf()).toEqual([]);
  });

  it('refuses the forgery under the original signature', async () => {
    const forged = await forge(good.manifest);
    await put(good.manifestKey, JSON.stringify(forged));
    await expect(restore(good.manifestKey)).rejects.toThrow(
      `${good.manifestKey}: the manifest signature does not verify with the local default key`,
    );
    expect(await tablesOf()).toEqual([]);
  });

  it('refuses the forgery re-signed with another key, even with --allow-unsigned', async () => {
    const forged = await forge(good.manifest);
    delete forged.signature;
    const other = localSigning({ BACKUP_SIGNING_KEY: 'a key the insider chose' }).signer;
    await put(good.manifestKey, JSON.stringify(await signManifest(forged, other)));
    await expect(restore(good.manifestKey, { allowUnsigned: true })).rejects.toThrow(
      /the manifest signature does not verify with the local default key \(it names the key in BACKUP_SIGNING_KEY\)/,
    );
    expect(await tablesOf()).toEqual([]);
  });

  it('(the forgery is sound: signed with the backup key itself, it restores the raised role)', async () => {
    const forged = await forge(good.manifest);
    delete forged.signature;
    await put(good.manifestKey, JSON.stringify(await signManifest(forged, localSigning().signer)));
    await restore(good.manifestKey);
    const role = await target.pool.query('SELECT role FROM api_keys WHERE id = $1', [readKeyId]);
    expect(role.rows[0].role).toBe('admin');
  });
});

describe('restore reads only the run folder the manifest belongs to', () => {
  let good: { manifest: Manifest; manifestKey: string };
  beforeAll(async () => {
    good = await backup('folders/good');
  });

  /** Rewrites the good manifest with `change`, re-signed with the backup's own key. */
  async function signedVariant(key: string, change: (m: any) => void): Promise<string> {
    const m = structuredClone(good.manifest) as any;
    delete m.signature;
    change(m);
    await put(key, JSON.stringify(await signManifest(m, localSigning().signer)));
    return key;
  }
  const entriesObject = () => good.manifest.tables.find((t) => t.name === 'entries')!.objects[0];
  const folder = () => good.manifestKey.slice(0, -'manifest.json'.length);

  it.each([
    ['../other-run/', (f: string) => `${f}../other-run/entries.0000.copy.gz`],
    [
      'another prefix',
      (f: string) => `${f.replace('folders/good', 'elsewhere')}entries.0000.copy.gz`,
    ],
    ["another table's name", (f: string) => `${f}spaces.0000.copy.gz`],
  ])('refuses an object key in %s, though signed', async (_, keyOf) => {
    const outside = keyOf(folder());
    await put(outside, await get(entriesObject().key));
    await signedVariant(good.manifestKey, (m) => {
      m.tables.find((t: any) => t.name === 'entries').objects[0].key = outside;
    });
    await expect(restore(good.manifestKey)).rejects.toThrow(
      `The manifest names objects outside its run; refusing: ${outside}: outside the run's folder ${folder()}`,
    );
    expect(await tablesOf()).toEqual([]);
  });

  it('refuses a genuine manifest moved into another folder (its run id and date are signed)', async () => {
    const moved = good.manifestKey.replace('/manifest.json', '-copy/manifest.json');
    await put(moved, await get(good.manifestKey));
    await expect(restore(moved)).rejects.toThrow(
      /The manifest names objects outside its run; refusing: .*belongs in a folder ending/,
    );
    expect(await tablesOf()).toEqual([]);
  });
});

describe('--allow-unsigned restores a manifest from before signatures, and says what it skips', () => {
  it('restores an old unsigned manifest with a warning; refuses it without the flag', async () => {
    const { manifest, manifestKey } = await backup('unsigned');
    const old = structuredClone(manifest) as any;
    delete old.signature;
    for (const t of old.tables) for (const o of t.objects) delete o.versionId;
    await put(manifestKey, JSON.stringify(old));
    await expect(restore(manifestKey)).rejects.toThrow(/the manifest is unsigned/);
    const warnings: string[] = [];
    await restore(manifestKey, { allowUnsigned: true, onWarning: (w) => warnings.push(w) });
    expect(warnings).toEqual([
      expect.stringContaining(
        `${manifestKey} is UNSIGNED and restored only because unsigned manifests were allowed: its authenticity is NOT verified`,
      ),
    ]);
    expect(warnings[0]).toContain('it records no version ids, so the current version');
    const n = await target.pool.query('SELECT count(*)::int AS n FROM entries');
    expect(n.rows[0].n).toBe(5);
  });
});

describe('object versions', () => {
  it('s3rver returns no version ids: local manifests record none (honestly), and a deployed restore refuses them', async () => {
    const { manifest, manifestKey } = await backup('versions/local');
    expect(manifest.tables.flatMap((t) => t.objects).some((o) => 'versionId' in o)).toBe(false);
    await expect(restore(manifestKey, { requireVersionIds: true })).rejects.toThrow(
      /the manifest records no version id for .*; a deployed backup records every object's version/,
    );
    await expect(
      exportDatabase({
        connect: connectTo(api.db.url),
        s3: client(),
        bucket: s3.bucket,
        prefix: 'versions/required',
        stage: 'test',
        signer: localSigning().signer,
        requireVersionIds: true,
      }),
    ).rejects.toThrow(/S3 returned no version id for .*: the backup bucket must be versioned/);
  });

  it('refuses to read from a server that ignores the recorded version (s3rver)', async () => {
    const { manifest, manifestKey } = await backup('versions/ignored');
    const m = structuredClone(manifest) as any;
    delete m.signature;
    for (const t of m.tables) for (const o of t.objects) o.versionId = 'v-recorded';
    await put(manifestKey, JSON.stringify(await signManifest(m, localSigning().signer)));
    await expect(restore(manifestKey)).rejects.toThrow(
      /S3 returned version \(none\), the manifest records v-recorded; refusing to read another version/,
    );
    expect(await tablesOf()).toEqual([]);
  });

  describe('on a versioned bucket', () => {
    let versioned: VersionedS3;
    beforeAll(() => {
      versioned = versionedS3(s3);
    });
    afterAll(() => versioned.restore());

    it('records each version and reads exactly it: an object replaced later is not what restore loads', async () => {
      const { manifest, manifestKey } = await backup('versions/versioned');
      const objects = manifest.tables.flatMap((t) => t.objects);
      for (const o of objects) expect(o.versionId).toBe(versioned.versions(o.key)[0]);
      // The insider replaces api_keys with the raised role (a new current version) and
      // cannot re-sign the manifest, which still names the original version.
      const forged = await forge(manifest);
      const apiKeys = forged.tables.find((t: any) => t.name === 'api_keys').objects[0];
      expect(versioned.versions(apiKeys.key)).toHaveLength(2);
      versioned.reads.length = 0;
      await restore(manifestKey);
      const role = await target.pool.query('SELECT role FROM api_keys WHERE id = $1', [readKeyId]);
      expect(role.rows[0].role).toBe('read');
      const reads = versioned.reads.filter((r) => r.key === apiKeys.key);
      expect(reads).toEqual([
        { command: 'HeadObject', key: apiKeys.key, versionId: versioned.versions(apiKeys.key)[0] },
        { command: 'GetObject', key: apiKeys.key, versionId: versioned.versions(apiKeys.key)[0] },
      ]);
    });

    it('refuses a recorded version the bucket does not have, naming the object', async () => {
      const { manifest, manifestKey } = await backup('versions/unknown');
      const m = structuredClone(manifest) as any;
      delete m.signature;
      const o = m.tables.find((t: any) => t.name === 'entries').objects[0];
      o.versionId = 'v-that-never-was';
      await put(manifestKey, JSON.stringify(await signManifest(m, localSigning().signer)));
      await expect(restore(manifestKey)).rejects.toThrow(
        `${o.key}: missing (version v-that-never-was)`,
      );
      expect(await tablesOf()).toEqual([]);
    });
  });
});
