import {
  type CloudFormationClient,
  paginateListStackResources,
} from '@aws-sdk/client-cloudformation';
import { type CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { type CheckResult, arnName, errorEvidence, fail, judge } from './types';

/** Alarm resource types whose physical id is the alarm name. */
const ALARM_TYPES = new Set(['AWS::CloudWatch::Alarm', 'AWS::CloudWatch::CompositeAlarm']);
/** DescribeAlarms accepts at most 100 names per call. */
const NAMES_PER_CALL = 100;

/** One stack whose alarms must page a topic. */
export interface AlarmStack {
  /** `Bulwark-<Stage>-<Part>`. */
  readonly stackName: string;
  /** Clients in the stack's region. */
  readonly cloudFormation: CloudFormationClient;
  readonly cloudWatch: CloudWatchClient;
  /** The alert topic of the stack's region (Security's, or Edge's in us-east-1). */
  readonly topicArn: string;
  /** The stack is meant to hold alarms: having none fails the check. */
  readonly expectsAlarms: boolean;
}

/**
 * MON-ALERT: every alarm the stack created (ListStackResources, type
 * `AWS::CloudWatch::Alarm`: the physical id is the alarm name) exists and has the
 * alert topic in its `AlarmActions` (DescribeAlarms). One result per stack that has,
 * or should have, alarms.
 */
export async function checkAlarms(stacks: readonly AlarmStack[]): Promise<CheckResult[]> {
  const results = await Promise.all(stacks.map(checkStackAlarms));
  return results.filter((r): r is CheckResult => r !== undefined);
}

async function checkStackAlarms(stack: AlarmStack): Promise<CheckResult | undefined> {
  const check = `alarms of ${stack.stackName} page the alert topic`;
  const topic = arnName(stack.topicArn);
  try {
    const names: string[] = [];
    for await (const page of paginateListStackResources(
      { client: stack.cloudFormation },
      { StackName: stack.stackName },
    )) {
      for (const r of page.StackResourceSummaries ?? []) {
        if (ALARM_TYPES.has(r.ResourceType ?? '') && r.PhysicalResourceId) {
          names.push(r.PhysicalResourceId);
        }
      }
    }
    if (names.length === 0) {
      return stack.expectsAlarms
        ? fail('MON-ALERT', check, `${stack.stackName} has no alarms; expected the stage's alarms`)
        : undefined;
    }

    const actions = new Map<string, string[]>();
    for (let i = 0; i < names.length; i += NAMES_PER_CALL) {
      const out = await stack.cloudWatch.send(
        new DescribeAlarmsCommand({
          AlarmNames: names.slice(i, i + NAMES_PER_CALL),
          AlarmTypes: ['MetricAlarm', 'CompositeAlarm'],
        }),
      );
      for (const a of [...(out.MetricAlarms ?? []), ...(out.CompositeAlarms ?? [])]) {
        if (a.AlarmName) actions.set(a.AlarmName, a.AlarmActions ?? []);
      }
    }
    const absent = names.filter((n) => !actions.has(n));
    const silent = names.filter((n) => actions.has(n) && !actions.get(n)!.includes(stack.topicArn));
    const problems = [
      ...(silent.length > 0
        ? [`${silent.length} of ${names.length} do not notify ${topic}: ${silent.join(', ')}`]
        : []),
      ...(absent.length > 0 ? [`not found in CloudWatch: ${absent.join(', ')}`] : []),
    ];
    return judge(
      'MON-ALERT',
      check,
      problems.length === 0,
      problems.length === 0
        ? `${names.length} alarms, each notifies ${topic}`
        : `${problems.join('; ')}; expected every alarm to notify ${stack.topicArn}`,
    );
  } catch (err) {
    return fail('MON-ALERT', check, errorEvidence(err));
  }
}
