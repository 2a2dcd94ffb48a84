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

/**
 * Coalesces small chunks (COPY sends one message per row) into buffers of at least
 * `size` bytes, so that gzip works on large blocks instead of paying its per-call
 * cost for every row.
 */
export class Coalescer extends Transform {
  private parts: Buffer[] = [];
  private length = 0;

  constructor(private readonly size = 256 * 1024) {
    super();
  }

  override _transform(chunk: Buffer, _: BufferEncoding, done: TransformCallback): void {
    this.parts.push(chunk);
    this.length += chunk.length;
    if (this.length < this.size) return done();
    done(null, this.drain());
  }

  override _flush(done: TransformCallback): void {
    done(null, this.length ? this.drain() : undefined);
  }

  private drain(): Buffer {
    const block = Buffer.concat(this.parts, this.length);
    this.parts = [];
    this.length = 0;
    return block;
  }
}
