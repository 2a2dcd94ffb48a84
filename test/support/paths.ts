import * as path from 'node:path';

/** Where the global setup writes the shared cloud assembly of every stage. */
export const SHARED_ASSEMBLY_DIR = path.join(__dirname, '..', '..', 'cdk.out.test');
/** Where the nag gate's unacknowledged synthesis (run beside the shared one) writes. */
export const NAG_GATE_DIR = path.join(__dirname, '..', '..', 'cdk.out.test-nag');
/** Its acknowledgements and findings (`test/support/nag-gate-synth.ts`). */
export const NAG_GATE_FILE = path.join(NAG_GATE_DIR, 'result.json');
