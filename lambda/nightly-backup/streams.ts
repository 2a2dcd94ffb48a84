import { createHash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';

const NEWLINE = 0x0a;

/**
 * Passes bytes through, counting them and their newlines. In COPY text format every
 * row ends with a newline and newlines inside values are escaped, so the newlines
 * are the rows.
 */
export class RowCounter extends Transform {
  bytes = 0;
  rows = 0;

  override _transform(chunk: Buffer, _: BufferEncoding, done: TransformCallback): void {
    this.bytes += chunk.length;
    for (let i = chunk.indexOf(NEWLINE); i !== -1; i = chunk.indexOf(NEWLINE, i + 1)) this.rows++;
    done(null, chunk);
  }
}

/** Passes bytes through, hashing them (SHA-256) and counting them. */
export class Sha256Meter extends Transform {
  bytes = 0;
  private readonly hash = createHash('sha256');

  override _transform(chunk: Buffer, _: BufferEncoding, done: TransformCallback): void {
    this.bytes += chunk.length;
    this.hash.update(chunk);
    done(null, chunk);
  }

  /** Hex digest; call once, after the stream has ended. */
  digest(): string {
    return this.hash.digest('hex');
  }
}
