/**
 * The baseline of `npm run bench:synth`: an empty one-stack CDK app, synthesized
 * by the same runner (cdk CLI + tsx) as the real app.
 */
import { App, Stack } from 'aws-cdk-lib';

const app = new App();
new Stack(app, 'Empty');
app.synth();
