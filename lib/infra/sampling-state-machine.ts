import { Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as schedulerTargets from 'aws-cdk-lib/aws-scheduler-targets';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { lambdaPrice } from '../catalog/prices';
import {
  reachableInstances,
  SAMPLING_DEFAULTS,
  SAMPLING_SETTING_RULES,
  type SamplingSettingName,
  type SamplingSettings,
  SamplingSettingsSchema,
} from '../contracts';
import { samplingStateMachineName } from '../core/naming';
import type { Arch } from '../core/types';
import { MeshPropsError } from './errors';
import { acknowledgeWildcardGrants } from './nag';

/** What CDK grants a state machine with tracing and logging on `*`: the only resource these actions accept. */
const STATE_MACHINE_ACTIONS_ON_ANY_RESOURCE = [
  'xray:PutTraceSegments',
  'xray:PutTelemetryRecords',
  'xray:GetSamplingRules',
  'xray:GetSamplingTargets',
  'logs:CreateLogDelivery',
  'logs:GetLogDelivery',
  'logs:UpdateLogDelivery',
  'logs:DeleteLogDelivery',
  'logs:ListLogDeliveries',
  'logs:PutResourcePolicy',
  'logs:DescribeResourcePolicies',
  'logs:DescribeLogGroups',
];

/** Properties of {@link SamplingStateMachine}. */
export interface SamplingStateMachineProps {
  /** The zone sampled, by AZ ID (e.g. `usw1-az1`). */
  readonly azId: string;
  /**
   * Architecture of the samplers this machine polls (`sky-smp-<azId>-<nn>` on x86_64,
   * `sky-smp-arm64-<azId>-<nn>` on arm64), and so of the fleet its characterizations describe. A zone has
   * one machine per sampled architecture (`sky-sampling-<azId>`, `sky-sampling-<azId>-arm64`).
   * @default 'x86_64'
   */
  readonly samplerArch?: Arch;
  /** The zone's fan-out tree function (`sky-fan-<azId>`), which sends one poll's burst. */
  readonly fanoutFunction: lambda.IFunction;
  /** The sampling steps function (`sky-steps-<azId>`): start, record, decide, finalize, fail. */
  readonly stepsFunction: lambda.IFunction;
  /**
   * Region of the zone, written into its characterizations.
   * @default - the stack's region
   */
  readonly region?: string;
  /** @default 100 */
  readonly samplersPerZone?: number;
  /** Memory of sampler 0 in MB; sampler i has this + i × `samplerMemoryStepMb`. @default 10140 */
  readonly samplerMemoryMb?: number;
  /**
   * MB added per sampler index: 1 for Lambda samplers (each its own size), 0 where every sampler has one
   * size (samplers on another provider).
   * @default 1
   */
  readonly samplerMemoryStepMb?: number;
  /** How long each sampler request sleeps, ms (for the run's cost estimate). @default 100 */
  readonly samplerSleepMs?: number;
  /** Memory of the fan-out function in MB, for the cost estimate. @default 1024 */
  readonly fanoutMemoryMb?: number;
  /** Concurrent requests per poll. @default 200 */
  readonly pollConcurrency?: number;
  /** Sampler endpoints one poll spreads its requests over. @default 10 */
  readonly samplersPerPoll?: number;
  /** Branching factor of the fan-out tree. @default 10 */
  readonly fanoutBranching?: number;
  /** Accuracy asked of a characterization (APE ≤ 100 × (1 − target)). @default 0.95 */
  readonly accuracyTarget?: number;
  /** A poll with a larger failed share has saturated the zone. @default 0.5 */
  readonly saturationFailureRate?: number;
  /** @default 30 */
  readonly maxPolls?: number;
  /** @default 0.2 */
  readonly maxRunCostUsd?: number;
  /**
   * Base sampling period in hours. The paper sampled every 22 h so that the time of day shifts.
   * @default 22
   */
  readonly sampleEveryHours?: number;
  /**
   * Sample stable zones less often and drifting ones more often: the schedule ticks every
   * `sampleEveryHours / 2`, and a tick before the zone's `nextSampleAt` (set by the last run from
   * the drift class: base/2 drifting, base unknown, 2 × base stable) ends at once without polling.
   * When false, the schedule ticks every `sampleEveryHours` and every tick samples.
   * @default true
   */
  readonly adaptiveSchedule?: boolean;
  /**
   * Position of the zone among the zones of its region: its scheduled runs wait
   * `zoneIndex × staggerStep` before polling, so that zones sharing a regional concurrency quota
   * do not poll at once. A run started with input `{ "force": true }` neither waits nor is skipped.
   * @default 0
   */
  readonly zoneIndex?: number;
  /** @default Duration.minutes(10) */
  readonly staggerStep?: Duration;
  /**
   * Instances a run must see for its characterization to count in full: a saturated run that saw fewer writes none,
   * and a run its poll or cost cap stopped short of it becomes `LATEST` only where the zone has none. At most all a
   * run can see: `pollConcurrency` × its polls (`maxPolls`, and no more than `samplersPerZone / samplersPerPoll`).
   * @default 100
   */
  readonly minInstancesForCharacterization?: number;
  /**
   * Lambda price of the samplers per GB-second (for the run's cost estimate).
   * @default - the catalog's price for `samplerArch` in `region` (the standard price where the region is unresolved)
   */
  readonly pricePerGbSecond?: number;
  /** @default - the catalog's request price for `samplerArch` in `region` (the standard one where it is unresolved) */
  readonly pricePerRequest?: number;
  /**
   * Lambda price of the fan-out per GB-second, where it differs from the samplers' (the samplers run on
   * another provider).
   * @default - `pricePerGbSecond`
   */
  readonly fanoutPricePerGbSecond?: number;
  /** @default - `pricePerRequest` */
  readonly fanoutPricePerRequest?: number;
  /**
   * Billed INIT of each new sampler instance, ms, for the run's cost where a sampler call's answer carried no
   * REPORT record (Lambda bills INIT since 2025-08-01; 0 reproduces the billing before).
   * @default 150 (the core's DEFAULT_INIT_MS)
   */
  readonly initBilledMs?: number;
  /** How long one poll (the fan-out call) may take before the run fails. @default Duration.minutes(5) */
  readonly pollTimeout?: Duration;
  /** Create the EventBridge Scheduler schedule. @default true */
  readonly schedule?: boolean;
  /** @default logs.RetentionDays.TWO_WEEKS */
  readonly logRetention?: logs.RetentionDays;
}

/**
 * Errors from the Lambda service (not from the function) that deserve a retry with backoff.
 * The `Lambda.` names are what Step Functions reports; the bare names are what the SDK reports
 * when the same definition runs in a local engine that invokes through `@aws-sdk/client-lambda`.
 */
export const LAMBDA_SERVICE_ERRORS: readonly string[] = [
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
  'Lambda.ClientExecutionTimeoutException',
  'ServiceException',
  'TooManyRequestsException',
];

/**
 * The errors of an invoke that certainly did not run the function: Lambda refused the call. The Poll
 * state retries only these, because any other failure of the fan-out call (a service error, a lost
 * answer) may come after the burst ran and was billed: re-sending it would spend a burst the run's
 * cost cap never counts, so such a failure ends the run instead (MarkFailed keeps its recorded polls).
 */
export const LAMBDA_NOT_STARTED_ERRORS: readonly string[] = [
  'Lambda.TooManyRequestsException',
  'TooManyRequestsException',
];

/** Retries of a refused Poll (a fan-out call Lambda throttled; no burst was sent). */
export const POLL_RETRIES = 3;

/** State names, so that tests and local runs can address states (e.g. to shorten waits). */
export const SAMPLING_STATES = {
  configure: 'Configure',
  start: 'Start',
  skipped: 'Skipped?',
  stagger: 'Stagger',
  notDue: 'NotDue',
  poll: 'Poll',
  record: 'Record',
  decide: 'Decide',
  next: 'Continue?',
  pause: 'Pause',
  finalize: 'Finalize',
  done: 'Done',
  markFailed: 'MarkFailed',
  failed: 'Failed',
} as const;

/** Props checked by the sampling settings' own rules (`lib/contracts`), as the config loader checks them. */
const SETTING_PROPS = [
  'samplersPerZone',
  'samplerMemoryMb',
  'samplerMemoryStepMb',
  'samplerSleepMs',
  'fanoutMemoryMb',
  'pollConcurrency',
  'samplersPerPoll',
  'fanoutBranching',
  'accuracyTarget',
  'saturationFailureRate',
  'maxPolls',
  'maxRunCostUsd',
  'sampleEveryHours',
  'minInstancesForCharacterization',
  'pricePerGbSecond',
  'pricePerRequest',
  'fanoutPricePerGbSecond',
  'fanoutPricePerRequest',
] as const satisfies ReadonlyArray<SamplingSettingName & keyof SamplingStateMachineProps>;

function validate(scope: Construct, props: SamplingStateMachineProps): void {
  for (const name of SETTING_PROPS) {
    const value = props[name];
    if (value === undefined || Token.isUnresolved(value)) continue;
    const rule = SAMPLING_SETTING_RULES[name];
    if (!rule.schema.safeParse(value).success)
      throw new MeshPropsError(`${scope.node.path}.${name}`, value, rule.allowed);
  }
  const zoneIndex = props.zoneIndex;
  if (zoneIndex !== undefined && !Token.isUnresolved(zoneIndex) && !(Number.isInteger(zoneIndex) && zoneIndex >= 0)) {
    throw new MeshPropsError(`${scope.node.path}.zoneIndex`, zoneIndex, 'an integer >= 0');
  }
}

/** The settings as a whole (cross-setting rules), once each has passed its own rule. */
function validateSettings(scope: Construct, settings: SamplingSettings): void {
  if (Object.values(settings).some((value) => typeof value === 'number' && Token.isUnresolved(value))) return;
  const parsed = SamplingSettingsSchema.safeParse(settings);
  if (parsed.success) {
    const reachable = reachableInstances(settings);
    if (reachable < settings.minInstancesForCharacterization) {
      throw new MeshPropsError(
        `${scope.node.path}.minInstancesForCharacterization`,
        settings.minInstancesForCharacterization,
        `at most ${reachable}, all a run can see (pollConcurrency × its polls: maxPolls, and samplersPerZone / samplersPerPoll)`,
      );
    }
    return;
  }
  const issue = parsed.error.issues[0];
  const name = String(issue.path[0] ?? 'settings');
  throw new MeshPropsError(`${scope.node.path}.${name}`, (settings as Record<string, unknown>)[name], issue.message);
}

/**
 * A zone's progressive-sampling state machine (JSONPath) and its EventBridge Scheduler schedule.
 *
 * Configure → Start → Skipped? (→ NotDue) → Stagger → Poll (fan-out burst at the next sampler endpoint) → Record →
 * Decide → Continue? (→ Pause) → Poll … → Finalize → Done. Every task retries Lambda service
 * errors with backoff and catches everything else into MarkFailed, which records the run as
 * failed with its cause, keeping every recorded poll, and ends in Failed.
 *
 * @example
 * new SamplingStateMachine(this, 'Sampling', { azId: 'usw1-az1', fanoutFunction: fanout, stepsFunction: steps });
 */
export class SamplingStateMachine extends Construct {
  readonly stateMachine: sfn.StateMachine;
  readonly schedule?: scheduler.Schedule;
  /** The settings baked into the definition. */
  readonly settings: SamplingSettings;

  constructor(scope: Construct, id: string, props: SamplingStateMachineProps) {
    super(scope, id);
    validate(this, props);
    const stack = Stack.of(this);
    const azId = props.azId;
    const region = props.region ?? stack.region;
    const adaptive = props.adaptiveSchedule ?? true;
    const defaults = SAMPLING_DEFAULTS;
    const sampleEveryHours = props.sampleEveryHours ?? defaults.sampleEveryHours;
    const samplerArch = props.samplerArch ?? 'x86_64';
    if (samplerArch !== 'x86_64' && samplerArch !== 'arm64') {
      throw new MeshPropsError(`${this.node.path}.samplerArch`, samplerArch, 'x86_64 or arm64');
    }
    // The samplers' architecture's price; an environment-agnostic stack gets the catalog's default price.
    const price = lambdaPrice(Token.isUnresolved(region) ? 'unknown' : region, samplerArch);
    this.settings = {
      samplersPerZone: props.samplersPerZone ?? defaults.samplersPerZone,
      // absent means x86_64, so an x86_64 machine's definition reads as before arm64 fleets were sampled
      ...(samplerArch !== 'x86_64' ? { samplerArch } : {}),
      samplerMemoryMb: props.samplerMemoryMb ?? defaults.samplerMemoryMb,
      samplerMemoryStepMb: props.samplerMemoryStepMb ?? 1,
      samplerSleepMs: props.samplerSleepMs ?? defaults.samplerSleepMs,
      pollConcurrency: props.pollConcurrency ?? defaults.pollConcurrency,
      samplersPerPoll: props.samplersPerPoll ?? defaults.samplersPerPoll,
      fanoutBranching: props.fanoutBranching ?? defaults.fanoutBranching,
      fanoutMemoryMb: props.fanoutMemoryMb ?? defaults.fanoutMemoryMb,
      accuracyTarget: props.accuracyTarget ?? defaults.accuracyTarget,
      saturationFailureRate: props.saturationFailureRate ?? defaults.saturationFailureRate,
      maxPolls: props.maxPolls ?? defaults.maxPolls,
      maxRunCostUsd: props.maxRunCostUsd ?? defaults.maxRunCostUsd,
      sampleEveryHours,
      adaptiveSchedule: adaptive,
      minInstancesForCharacterization:
        props.minInstancesForCharacterization ?? defaults.minInstancesForCharacterization,
      pricePerGbSecond: props.pricePerGbSecond ?? price.perGbSecond,
      pricePerRequest: props.pricePerRequest ?? price.perRequest,
      ...(props.fanoutPricePerGbSecond !== undefined ? { fanoutPricePerGbSecond: props.fanoutPricePerGbSecond } : {}),
      ...(props.fanoutPricePerRequest !== undefined ? { fanoutPricePerRequest: props.fanoutPricePerRequest } : {}),
      initBilledMs: props.initBilledMs ?? defaults.initBilledMs,
    };
    validateSettings(this, this.settings);
    const staggerSeconds = (props.zoneIndex ?? 0) * (props.staggerStep ?? Duration.minutes(10)).toSeconds();
    const S = SAMPLING_STATES;
    const jsonPath = sfn.QueryLanguage.JSON_PATH;

    const execution = {
      runId: sfn.JsonPath.stringAt('$.runId'),
      azId: sfn.JsonPath.stringAt('$.azId'),
      region: sfn.JsonPath.stringAt('$.region'),
    };
    const stepPayload = (step: string, extra: Record<string, unknown>): sfn.TaskInput =>
      sfn.TaskInput.fromObject({ step, ...execution, ...extra });
    const retryServiceErrors = (
      task: tasks.LambdaInvoke,
      maxAttempts: number,
      errors: readonly string[] = LAMBDA_SERVICE_ERRORS,
    ): void => {
      task.addRetry({
        errors: [...errors],
        interval: Duration.seconds(2),
        maxAttempts,
        backoffRate: 2,
        maxDelay: Duration.seconds(60),
      });
    };
    const stepTask = (name: string, payload: sfn.TaskInput, resultPath: string): tasks.LambdaInvoke => {
      const task = new tasks.LambdaInvoke(this, name, {
        stateName: name,
        queryLanguage: jsonPath,
        lambdaFunction: props.stepsFunction,
        payload,
        payloadResponseOnly: true,
        retryOnServiceExceptions: false,
        resultPath,
        taskTimeout: sfn.Timeout.duration(Duration.minutes(2)),
      });
      retryServiceErrors(task, 6);
      return task;
    };

    const failed = new sfn.Fail(this, S.failed, {
      stateName: S.failed,
      queryLanguage: jsonPath,
      errorPath: '$.error.Error',
      causePath: '$.error.Cause',
    });
    const markFailed = stepTask(
      S.markFailed,
      stepPayload('fail', { error: sfn.JsonPath.objectAt('$.error') }),
      '$.failure',
    );
    markFailed.addCatch(failed, { errors: ['States.ALL'], resultPath: '$.failureOfMarkFailed' });
    markFailed.next(failed);
    const catchInto = (task: tasks.LambdaInvoke): void => {
      task.addCatch(markFailed, { errors: ['States.ALL'], resultPath: '$.error' });
    };

    const configure = new sfn.Pass(this, S.configure, {
      stateName: S.configure,
      queryLanguage: jsonPath,
      parameters: {
        runId: sfn.JsonPath.stringAt('$$.Execution.Name'),
        startedAt: sfn.JsonPath.stringAt('$$.Execution.StartTime'),
        azId,
        region,
        settings: { ...this.settings },
        input: sfn.JsonPath.entirePayload,
      },
    });
    const start = stepTask(
      S.start,
      stepPayload('start', {
        startedAt: sfn.JsonPath.stringAt('$.startedAt'),
        staggerSeconds,
        input: sfn.JsonPath.objectAt('$.input'),
        settings: sfn.JsonPath.objectAt('$.settings'),
      }),
      '$.run',
    );
    const stagger = new sfn.Wait(this, S.stagger, {
      stateName: S.stagger,
      queryLanguage: jsonPath,
      time: sfn.WaitTime.secondsPath('$.run.staggerSeconds'),
    });
    const skipped = new sfn.Choice(this, S.skipped, { stateName: S.skipped, queryLanguage: jsonPath });
    const notDue = new sfn.Succeed(this, S.notDue, {
      stateName: S.notDue,
      queryLanguage: jsonPath,
      comment: 'The adaptive schedule: this zone is not due yet.',
    });
    const poll = new tasks.LambdaInvoke(this, S.poll, {
      stateName: S.poll,
      queryLanguage: jsonPath,
      lambdaFunction: props.fanoutFunction,
      payload: sfn.TaskInput.fromObject({
        targets: sfn.JsonPath.listAt('$.run.targets'),
        count: this.settings.pollConcurrency,
        branching: this.settings.fanoutBranching,
      }),
      payloadResponseOnly: true,
      retryOnServiceExceptions: false,
      resultPath: '$.poll',
      taskTimeout: sfn.Timeout.duration(props.pollTimeout ?? Duration.minutes(5)),
    });
    // Up to POLL_RETRIES retries (MaxAttempts counts retries), only when Lambda refused the fan-out call.
    retryServiceErrors(poll, POLL_RETRIES, LAMBDA_NOT_STARTED_ERRORS);
    const withSettings = { settings: sfn.JsonPath.objectAt('$.settings'), run: sfn.JsonPath.objectAt('$.run') };
    const record = stepTask(
      S.record,
      stepPayload('record', { ...withSettings, poll: sfn.JsonPath.objectAt('$.poll') }),
      '$.run',
    );
    const decide = stepTask(S.decide, stepPayload('decide', withSettings), '$.run');
    const next = new sfn.Choice(this, S.next, { stateName: S.next, queryLanguage: jsonPath });
    const pause = new sfn.Wait(this, S.pause, {
      stateName: S.pause,
      queryLanguage: jsonPath,
      time: sfn.WaitTime.secondsPath('$.run.decision.waitSeconds'),
    });
    const finalize = stepTask(S.finalize, stepPayload('finalize', withSettings), '$.run');
    const done = new sfn.Succeed(this, S.done, { stateName: S.done, queryLanguage: jsonPath, outputPath: '$.run' });
    for (const task of [start, poll, record, decide, finalize]) catchInto(task);

    const continuing = sfn.Condition.stringEquals('$.run.decision.action', 'continue');
    const definition = configure.next(start);
    start.next(skipped.when(sfn.Condition.booleanEquals('$.run.skipped', true), notDue).otherwise(stagger.next(poll)));
    poll.next(record).next(decide).next(next);
    next
      .when(
        sfn.Condition.and(continuing, sfn.Condition.numberGreaterThan('$.run.decision.waitSeconds', 0)),
        pause.next(poll),
      )
      .when(continuing, poll)
      .otherwise(finalize.next(done));

    const logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention ?? logs.RetentionDays.TWO_WEEKS,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.stateMachine = new sfn.StateMachine(this, 'Resource', {
      stateMachineName: samplingStateMachineName(azId, samplerArch),
      stateMachineType: sfn.StateMachineType.STANDARD,
      queryLanguage: jsonPath,
      definitionBody: sfn.DefinitionBody.fromChainable(definition),
      timeout: Duration.hours(12),
      tracingEnabled: true,
      logs: { destination: logGroup, level: sfn.LogLevel.ALL, includeExecutionData: false },
      comment: `Progressive sampling of the CPUs behind zone ${azId}${samplerArch === 'x86_64' ? '' : ` (its ${samplerArch} fleet)`}`,
    });

    if (props.schedule ?? true) {
      const tickMinutes = Math.round((adaptive ? sampleEveryHours / 2 : sampleEveryHours) * 60);
      this.schedule = new scheduler.Schedule(this, 'Schedule', {
        description: `Samples zone ${azId}${samplerArch === 'x86_64' ? '' : ` ${samplerArch}`} (${adaptive ? 'adaptive' : 'fixed'}, base ${sampleEveryHours} h)`,
        schedule: scheduler.ScheduleExpression.rate(Duration.minutes(tickMinutes)),
        target: new schedulerTargets.StepFunctionsStartExecution(this.stateMachine, {
          input: scheduler.ScheduleTargetInput.fromObject({}),
          retryAttempts: 3,
          maxEventAge: Duration.hours(1),
        }),
        timeWindow: scheduler.TimeWindow.off(),
      });
    }

    acknowledgeWildcardGrants(
      this,
      [
        {
          actions: ['lambda:InvokeFunction'],
          resources: [`${props.fanoutFunction.functionArn}:*`, `${props.stepsFunction.functionArn}:*`],
        },
      ],
      'Granted by the Step Functions Lambda task: invoke the fan-out and steps functions of this zone, any version.',
    );
    acknowledgeWildcardGrants(
      this,
      [{ actions: STATE_MACHINE_ACTIONS_ON_ANY_RESOURCE, resources: ['*'] }],
      'X-Ray PutTraceSegments/PutTelemetryRecords and CloudWatch Logs delivery actions accept only Resource *.',
    );
  }
}
