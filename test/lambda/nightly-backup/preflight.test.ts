import {
  BackupTooLargeError,
  TASK_ADVICE,
  preflight,
} from '../../../lambda/nightly-backup/preflight';
import { availableParallelism } from 'node:os';
import {
  MAX_DEFAULT_WORKERS,
  defaultWorkers,
  partSizeFor,
} from '../../../lambda/nightly-backup/export';

const GiB = 1024 ** 3;

describe('preflight', () => {
  it('lets a database through that exports within half the time left', () => {
    expect(preflight(1 * GiB, 900, 40)).toEqual({ estimatedSeconds: 26 });
  });

  it('fails at once, with the reason and the large-database path, when it would not', () => {
    expect(() => preflight(100 * GiB, 900, 40)).toThrow(BackupTooLargeError);
    expect(() => preflight(100 * GiB, 900, 40)).toThrow(
      /100\.0 GiB.*about 43 min, more than half of the 15 min this run has\. Set backup\.runner to "fargate"/,
    );
  });

  it("tells the Fargate task's operator what to raise instead", () => {
    expect(() => preflight(100 * GiB, 3600, 40, TASK_ADVICE)).toThrow(
      /about 43 min, more than half of the 60 min this run has\. Raise backup\.timeoutMinutes/,
    );
  });
});

describe('partSizeFor', () => {
  it('uses 8 MiB parts, and larger ones so that no table needs more than 9,000', () => {
    expect(partSizeFor(0)).toBe(8 * 1024 * 1024);
    expect(partSizeFor(10 * GiB)).toBe(8 * 1024 * 1024);
    const huge = 500 * GiB;
    expect(Math.ceil(huge / partSizeFor(huge))).toBeLessThanOrEqual(9000);
    expect(partSizeFor(huge) % (1024 * 1024)).toBe(0);
  });
});

describe('defaultWorkers', () => {
  it('is one worker per CPU, at least 2 and at most 8', () => {
    expect(defaultWorkers(1)).toBe(2);
    expect(defaultWorkers(2)).toBe(2);
    expect(defaultWorkers(4)).toBe(4);
    expect(defaultWorkers(64)).toBe(MAX_DEFAULT_WORKERS);
    expect(MAX_DEFAULT_WORKERS).toBe(8);
    expect(defaultWorkers()).toBe(Math.max(2, Math.min(8, availableParallelism())));
  });
});
