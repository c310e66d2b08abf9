import { z } from 'zod';
import { regionOfAzId } from '../catalog/lookup';
import { type SamplingSettings, SamplingSettingsSchema } from '../contracts';
import { providerOfZone } from '../core/naming';

/**
 * What the sampling state machine sends its steps function, and what each step answers.
 *
 * State of an execution (JSONPath): `{ runId, azId, region, startedAt, settings, input }` from the
 * Configure state, `run` (a {@link RunState}, replaced by every step), `poll` (the fan-out's last
 * aggregate) and `error` (a caught failure). Each step answers a new `RunState`.
 */

export { type SamplingSettings, SamplingSettingsSchema };

const ExecutionFields = {
  runId: z.string().min(1).max(80),
  azId: z
    .string()
    .refine(
      (id) => /^[a-z]{2,5}\d-az\d+$/.test(id) || (providerOfZone(id) !== 'aws' && /^[a-z]+(-[a-z0-9]+)+$/.test(id)),
      'an AZ ID such as usw1-az1 (or a provider zone such as ibm-us-south)',
    ),
  region: z.string().min(1),
  settings: SamplingSettingsSchema,
};

/** The stopping rule's verdict as the Choice state reads it. */
export const DecisionSchema = z.object({
  action: z.enum(['continue', 'stop']),
  reason: z.enum(['converged', 'saturated', 'capped-polls', 'capped-cost']).optional(),
  estimatedApe: z.number(),
  waitSeconds: z.number().int().min(0),
});
export type Decision = z.infer<typeof DecisionSchema>;

/** Small state carried between steps; everything else lives in the table. */
export const RunStateSchema = z.object({
  /** True when the adaptive schedule said it is not time yet: the execution ends at once. */
  skipped: z.boolean(),
  /** Polls recorded so far = index of the next poll. */
  pollIndex: z.number().int().min(0),
  /** Index of the sampler poll 0 hits; poll k hits (samplerStart + k) mod samplersPerZone. */
  samplerStart: z.number().int().min(0),
  /** The first sampler endpoint of the next poll. */
  target: z.string(),
  /** Every sampler endpoint the next poll spreads over (`target` first). */
  targets: z.array(z.string()).min(1),
  /** Seconds to wait before the first poll. */
  staggerSeconds: z.number().int().min(0).default(0),
  decision: DecisionSchema.optional(),
  /** When the zone is due again (ISO-8601). */
  nextSampleAt: z.string().optional(),
  /** Set by finalize: the characterization written, if any. */
  characterizationAt: z.string().optional(),
  costUsd: z.number().optional(),
  instancesSeen: z.number().optional(),
  apeVsPrevious: z.number().optional(),
  driftClass: z.enum(['stable', 'drifting', 'unknown']).optional(),
});
export type RunState = z.infer<typeof RunStateSchema>;

const PollSchema = z
  .object({
    requested: z.number().int().min(0),
    succeeded: z.number().int().min(0),
    failures: z.record(z.string(), z.number().int().min(0)),
    cpuCounts: z.record(z.string(), z.number().int().min(0)),
    cpuModels: z.record(z.string(), z.string()),
    instanceIds: z.array(z.string()),
    newInstances: z.number().int().min(0),
    bootTimes: z.array(z.number()),
    hosts: z
      .array(
        z.object({
          bootTime: z.number(),
          cpu: z.string(),
          instances: z.number().int().min(1),
          samplers: z.number().int().min(1),
        }),
      )
      .optional(),
    samplers: z.number().int().min(0).optional(),
    latencyMs: z.object({
      p50: z.number().min(0),
      p90: z.number().min(0),
      p99: z.number().min(0),
      max: z.number().min(0),
    }),
    billedMs: z.number().min(0),
    /** Fan-out invocations below the root, and their summed duration (the tree's own cost). */
    fanoutCalls: z.number().int().min(0).optional(),
    fanoutMs: z.number().min(0).optional(),
    initsBilled: z.number().int().min(0).optional(),
  })
  // A poll's counts must agree with each other before they join the run's totals, which nothing can take back.
  .refine((poll) => poll.succeeded <= poll.requested, {
    path: ['succeeded'],
    message: 'at most requested: a poll cannot answer more requests than it sent',
  })
  .refine((poll) => poll.newInstances <= poll.succeeded, {
    path: ['newInstances'],
    message: 'at most succeeded: each new instance is reported by a request that succeeded',
  })
  .refine((poll) => Object.values(poll.cpuCounts).reduce((sum, n) => sum + n, 0) <= poll.succeeded, {
    path: ['cpuCounts'],
    message: 'at most succeeded in all: each instance counted is reported by a request that succeeded',
  });
export type PollInput = z.infer<typeof PollSchema>;

/** A failure caught by a Catch (`ResultPath: $.error`). */
export const CaughtErrorSchema = z.object({ Error: z.string(), Cause: z.string().optional() });

export const StepEventSchema = z
  .discriminatedUnion('step', [
    z.object({
      step: z.literal('start'),
      ...ExecutionFields,
      startedAt: z.string(),
      /** Seconds a scheduled run waits before polling (the zone's stagger). */
      staggerSeconds: z.number().int().min(0).default(0),
      /** The execution's input: `{ "force": true }` samples now, without stagger or schedule gate. */
      input: z.record(z.string(), z.unknown()).nullish(),
    }),
    z.object({ step: z.literal('record'), ...ExecutionFields, run: RunStateSchema, poll: PollSchema }),
    z.object({ step: z.literal('decide'), ...ExecutionFields, run: RunStateSchema }),
    z.object({ step: z.literal('finalize'), ...ExecutionFields, run: RunStateSchema }),
    z.object({
      step: z.literal('fail'),
      runId: ExecutionFields.runId,
      azId: ExecutionFields.azId,
      region: ExecutionFields.region,
      error: CaughtErrorSchema,
    }),
  ])
  .superRefine((event, ctx) => {
    // The region is written into the characterization beside the zone: an AWS zone's must be its own.
    const own = regionOfAzId(event.azId);
    if (own !== undefined && own !== event.region) {
      ctx.addIssue({ code: 'custom', path: ['region'], message: `${event.azId} is a zone of ${own}` });
    }
  });
export type StepEvent = z.infer<typeof StepEventSchema>;
export type StepName = StepEvent['step'];
export type EventOf<S extends StepName> = Extract<StepEvent, { step: S }>;

/** What the fail step answers. */
export interface FailedRun {
  readonly runId: string;
  readonly status: 'failed' | 'succeeded';
  readonly cause: string;
}
