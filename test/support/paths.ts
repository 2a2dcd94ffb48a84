import * as path from 'node:path';

/** Where the global setup writes the shared cloud assembly of every stage. */
export const SHARED_ASSEMBLY_DIR = path.join(__dirname, '..', '..', 'cdk.out.test');
