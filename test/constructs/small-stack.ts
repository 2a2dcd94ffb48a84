import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';

/**
 * A stack of its own for testing one construct, synthesized without bundling
 * Lambda code (as the unit tests of the stacks are).
 */
export function smallStack(): { stack: Stack; key: kms.Key; template: () => Template } {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'Test', { env: { account: '111111111111', region: 'eu-west-1' } });
  const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
  return { stack, key, template: () => Template.fromStack(stack) };
}
