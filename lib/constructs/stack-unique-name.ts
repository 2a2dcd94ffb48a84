import { Aws, Fn } from 'aws-cdk-lib';

/**
 * `<prefix>-<suffix>`, where the suffix is the last 12 hex digits of the stack's own
 * id (`AWS::StackId`): stable for the life of the stack, different for each creation
 * of it. For resources that a service makes us name (a WAF log group must start with
 * `aws-waf-logs-`) and that outlive their stack: a retained resource of a deleted or
 * failed stack never blocks the stack's next creation with "already exists".
 */
export function stackUniqueName(prefix: string): string {
  const stackUuid = Fn.select(2, Fn.split('/', Aws.STACK_ID));
  return Fn.join('-', [prefix, Fn.select(4, Fn.split('-', stackUuid))]);
}
