import { readFileSync } from 'node:fs';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { type Command, InvalidArgumentError } from 'commander';
import { functionRouterClient, type RouterClient, regionOfFunctionUrl, urlRouterClient } from '../aws/router-client';
import { ROUTER_FUNCTION_NAME } from '../core/naming';
import { answerDetail } from '../routing/answer-detail';
import { mergeBatchAnswers, sendUntilDone } from '../routing/batch-resume';
import type { ProfilingAnswer } from '../routing/profiling';
import type { RouterRequestBody } from '../routing/request';
import type { AttemptRecord, BatchAnswer, BatchPacing, PlacementSummary, RouterAnswer } from '../routing/types';
import {
  addPlacementOptions,
  checkRequestBody,
  envUrl,
  type PlacementCliOptions,
  parsePositiveInt,
  parseSlowdown,
  requestBodyOf,
  urlArg,
  usd,
} from './router-options';

export interface InvokeCliOptions extends PlacementCliOptions {
  readonly codeFile?: string;
  readonly entry?: string;
  readonly input?: unknown;
  readonly batch?: number;
  readonly concurrency?: number;
  readonly maxSlowdown?: number;
  readonly profiling?: number;
  readonly endpoint?: string;
  readonly region: string;
  readonly functionName: string;
  readonly lambdaEndpoint?: string;
  readonly json?: boolean;
}

/**
 * `sky invoke`: sends one request (or a batch) to the router of a deployed mesh, through its
 * IAM-authenticated Function URL (`--endpoint`, signed with SigV4) or by invoking `sky-router`.
 */
export function registerInvokeCommand(program: Command): void {
  addPlacementOptions(
    program
      .command('invoke')
      .description('route a workload (or your code) through the router and print the result, placement and cost'),
  )
    .option('--code-file <path>', 'a CommonJS module exporting run(input, context), sent instead of --workload')
    .option('--entry <name>', 'exported function of --code-file to run (default run)')
    .option('--input <json>', 'input for the code, as JSON', parseJson)
    .option(
      '--batch <n>',
      "send n invocations as one batch (sent again for the calls the router's 15 minutes leave, until all ran)",
      parsePositiveInt,
    )
    .option('--concurrency <n>', 'batch concurrency (default 100; profiling 20)', parsePositiveInt)
    .option(
      '--max-slowdown <x>',
      "let the router run the batch fewer calls at a time where that costs less, taking up to x times its expected duration at --concurrency (the batch's maxSlowdown; default 1: not paced)",
      parseSlowdown,
    )
    .option(
      '--profiling <observations>',
      'profile the workload instead: runtimes on every CPU × architecture × memory size allowed, this many each',
      parsePositiveInt,
    )
    .option('--endpoint <url>', "the router's Function URL; default: invoke the router function directly", urlArg)
    .option(
      '--region <region>',
      'AWS region of the router, the home region (AWS_REGION if set)',
      process.env.AWS_REGION ?? 'us-west-2',
    )
    .option('--function-name <name>', 'router function for direct invocation', ROUTER_FUNCTION_NAME)
    .option(
      '--lambda-endpoint <url>',
      'Lambda API endpoint for direct invocation, e.g. a local one (default: AWS_ENDPOINT_URL_LAMBDA)',
      urlArg,
    )
    .option('--json', 'print the raw answer as JSON')
    .action(async (options: InvokeCliOptions) => {
      const answer = await runInvoke(options);
      console.log(options.json ? JSON.stringify(answer, null, 2) : formatAnswer(answer));
      if (answer.status === 'error') process.exitCode = 2;
    });
}

/**
 * Builds the request from CLI options, sends it and returns the router's answer. A batch is sent resumable and again
 * with each answer's `resume` until every call ran, and its answers come back as one; where the router refuses a
 * later send, the answer is of the calls made, with a note of the refusal.
 */
export async function runInvoke(
  options: InvokeCliOptions,
  client: RouterClient = clientOf(options),
): Promise<RouterAnswer> {
  const body = invokeBodyOf(options);
  checkRequestBody(body);
  if (!body.batch) return client.invoke(body);
  const { answers, refused } = await sendUntilDone((request) => client.invoke(request), body);
  if (answers.length === 0) return refused!;
  const answer = mergeBatchAnswers(answers);
  if (!refused) return answer;
  const note = `the router refused send ${answers.length + 1} of the batch: ${answerDetail(refused)}`;
  return { ...answer, notes: [...(answer.notes ?? []), note] };
}

/** The text of `--code-file`, or an error naming the option and why the file cannot be read. */
function sourceOf(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    const { code, message } = error as NodeJS.ErrnoException;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a folder, not a file' : message;
    throw new InvalidArgumentError(`--code-file ${file}: cannot read it (${reason})`);
  }
}

/** The router request for `sky invoke`'s options. */
export function invokeBodyOf(options: InvokeCliOptions): RouterRequestBody {
  if (!options.workload === !options.codeFile) {
    throw new InvalidArgumentError('give exactly one of --workload and --code-file');
  }
  if (options.entry !== undefined && !options.codeFile) {
    throw new InvalidArgumentError('--entry names a function of --code-file; give it with --code-file');
  }
  if (options.concurrency !== undefined && options.batch === undefined && options.profiling === undefined) {
    throw new InvalidArgumentError('--concurrency is for --batch or --profiling; give it with one of them');
  }
  if (options.maxSlowdown !== undefined && options.batch === undefined) {
    throw new InvalidArgumentError('--max-slowdown paces a --batch; give it with --batch');
  }
  const code = options.codeFile
    ? { source: sourceOf(options.codeFile), ...(options.entry ? { entry: options.entry } : {}) }
    : undefined;
  return {
    ...requestBodyOf(options),
    ...(code ? { code } : {}),
    ...(options.input !== undefined ? { input: options.input } : {}),
    ...(options.batch !== undefined
      ? {
          batch: {
            count: options.batch,
            ...(options.concurrency ? { concurrency: options.concurrency } : {}),
            ...(options.maxSlowdown !== undefined ? { maxSlowdown: options.maxSlowdown } : {}),
            resumable: true,
          },
        }
      : {}),
    ...(options.profiling !== undefined
      ? {
          profiling: {
            observations: options.profiling,
            ...(options.concurrency ? { concurrency: options.concurrency } : {}),
          },
        }
      : {}),
  };
}

function clientOf(options: InvokeCliOptions): RouterClient {
  if (options.endpoint) {
    // A Function URL names its region in its host; any other URL is signed for --region.
    let region = options.region;
    try {
      region = regionOfFunctionUrl(new URL(options.endpoint)) ?? options.region;
    } catch {
      // urlRouterClient reports the malformed URL.
    }
    return urlRouterClient({ url: options.endpoint, region });
  }
  const lambdaEndpoint = options.lambdaEndpoint ?? envUrl('AWS_ENDPOINT_URL_LAMBDA');
  const client = new LambdaClient({
    region: options.region,
    ...(lambdaEndpoint ? { endpoint: lambdaEndpoint } : {}),
    // A loopback Lambda API (sky local --serve) checks no signature: no AWS keys needed.
    ...(lambdaEndpoint && isLoopback(lambdaEndpoint)
      ? { credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }
      : {}),
  });
  return functionRouterClient({ client, functionName: options.functionName });
}

function isLoopback(url: string): boolean {
  try {
    return ['127.0.0.1', 'localhost', '[::1]'].includes(new URL(url).hostname);
  } catch {
    return false;
  }
}

function parseJson(value: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    throw new InvalidArgumentError('not valid JSON');
  }
}

/** A readable rendering of a router answer. */
export function formatAnswer(answer: RouterAnswer): string {
  if (answer.status === 'batch') return formatBatch(answer);
  if (answer.status === 'profiling') return formatProfiling(answer);
  const lines: string[] = [];
  if (answer.status === 'ok') {
    lines.push(`result: ${truncate(JSON.stringify(answer.result))}`);
  } else {
    const field = answer.error.field ? ` (field ${answer.error.field})` : '';
    lines.push(`error ${answer.httpStatus} ${answer.error.type}${field}: ${answer.error.message}`);
  }
  if (answer.placement) {
    const p = answer.placement;
    lines.push(
      `placement: ${p.target.functionName} (${p.target.region}), strategy ${p.strategy}, ` +
        `reject [${p.rejectCpus.join(', ')}], hold ${p.holdMs} ms, up to ${p.maxAttempts} attempts`,
      `expected: ${usd(p.expected.costUsd)}, ${p.expected.runtimeMs.toFixed(0)} ms, ` +
        `${p.expected.attempts.toFixed(2)} attempts, +${p.expected.addedLatencyMs.toFixed(0)} ms, ${p.expected.carbonG.toPrecision(3)} gCO2e`,
    );
    // A router deployed before placements carried their evidence answers without it.
    if (p.evidence) lines.push(formatEvidence(p.evidence));
    for (const note of p.notes) lines.push(`note: ${note}`);
  }
  if (answer.attempts.length > 0) {
    lines.push('attempts:');
    for (const a of answer.attempts) lines.push(`  ${formatAttempt(a)}`);
  }
  if (answer.estimate) {
    const e = answer.estimate;
    const runtime = e.runtimeMs !== undefined ? `, runtime ${e.runtimeMs.toFixed(0)} ms` : '';
    lines.push(`cost: ${usd(e.costUsd)} (billed ${e.billedMs} ms${runtime}), carbon ${e.carbonG.toPrecision(3)} gCO2e`);
  }
  return lines.join('\n');
}

function formatEvidence(evidence: PlacementSummary['evidence']): string {
  const guess = evidence.level === 'assumed' ? ': nothing observed supports this target; its figures are a guess' : '';
  return `evidence: ${evidence.level} (runtimes ${evidence.runtime}, zone mix ${evidence.mix})${guess}`;
}

function formatAttempt(a: AttemptRecord): string {
  const cpu = a.cpu ? ` on ${a.cpu}` : '';
  const billed = a.billedMs !== undefined ? `, billed ${a.billedMs} ms` : '';
  const error = a.errorType ? ` (${a.errorType})` : '';
  return `${a.status}${error} ${a.functionName}${cpu}${billed}, round trip ${a.roundTripMs.toFixed(0)} ms`;
}

function formatPacing(p: BatchPacing): string {
  const s = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
  return (
    `paced: ${p.concurrency} of ${p.givenConcurrency} at a time (${p.rounds} rounds), expected ${s(p.expectedDurationMs)} ` +
    `against ${s(p.unpacedDurationMs)} unpaced (budget ×${p.maxSlowdown}), ${usd(p.expectedCostUsd)} a call against ${usd(p.unpacedCostUsd)}` +
    (p.moved
      ? `; moved to ${p.moved.functionName} from call ${p.moved.atCall} (retries met the rejected CPUs again: repeat ${p.moved.retryRepeat.toFixed(2)}; workers on an accepted instance kept it)`
      : '') +
    (p.widened
      ? `; widened to ${p.widened.concurrency} at a time from call ${p.widened.atCall} (retries met the rejected CPUs again: repeat ${p.widened.retryRepeat.toFixed(2)})`
      : '') +
    (p.deadlineWidened
      ? `; widened to ${p.deadlineWidened.concurrency} at a time from call ${p.deadlineWidened.atCall} (the router's deadline)`
      : '') +
    (p.budgetWidened
      ? `; widened to ${p.budgetWidened.concurrency} at a time from call ${p.budgetWidened.atCall} (the time budget: ${s(p.budgetWidened.budgetLeftMs)} left)`
      : '') +
    (p.probe
      ? `; probe: the first call searched alone over ${p.probe.attempts} attempt${p.probe.attempts === 1 ? '' : 's'}` +
        (p.probe.rejectCpus && p.probe.rejectCpus.length > 0 ? ` (rejecting ${p.probe.rejectCpus.join(', ')})` : '') +
        ', ' +
        `the others started after ${s(p.probe.afterMs)} (${p.probe.by === 'unanswered' ? 'its attempt went unanswered as long as a rejection takes' : 'it was answered'})`
      : '')
  );
}

function formatBatch(answer: BatchAnswer): string {
  const s = answer.summary;
  const lines = [
    `batch of ${s.count} (concurrency ${s.concurrency}): ${s.succeeded} ok, ${s.failed} failed`,
    ...(answer.pacing ? [formatPacing(answer.pacing)] : []),
    ...(answer.resumedAtCalls?.length
      ? [
          `sent in ${answer.resumedAtCalls.length + 1} parts (the router's deadline), resumed at call ${answer.resumedAtCalls.join(', ')}`,
        ]
      : []),
    `placement: ${answer.placement.target.functionName}, reject [${answer.placement.rejectCpus.join(', ')}]`,
    ...(answer.placement.evidence ? [formatEvidence(answer.placement.evidence)] : []),
    `cost ${usd(s.costUsd)}, mean runtime ${s.meanRuntimeMs?.toFixed(0) ?? '-'} ms, ` +
      `${s.attemptsPerRequest.toFixed(2)} attempts/request, ${s.rejects} rejects, ${s.failovers} failovers` +
      (s.searchMoves ? `, ${s.searchMoves} searches moved on` : '') +
      (s.spreadStarts ? `, ${s.spreadStarts} calls started beyond what the accepted hosts hold (spread)` : ''),
    ...(s.searchStopped
      ? [
          `search stopped at call ${s.searchStopped.atCall} on ${s.searchStopped.functionName}: searching was to cost ` +
            `${usd(s.searchStopped.searchUsdPerCall)} a call, accepting any CPU ${usd(s.searchStopped.acceptAnyUsdPerCall)}`,
        ]
      : []),
    `by CPU: ${Object.entries(s.byCpu)
      .map(([cpu, n]) => `${cpu} ${n}`)
      .join(', ')}`,
    `by function: ${Object.entries(s.byFunction)
      .map(([fn, n]) => `${fn} ${n}`)
      .join(', ')}`,
  ];
  const errors = answer.calls.filter((c) => c.status === 'error');
  if (errors.length > 0) {
    const byType: Record<string, number> = {};
    for (const c of errors) byType[c.errorType ?? 'unknown'] = (byType[c.errorType ?? 'unknown'] ?? 0) + 1;
    lines.push(
      `errors: ${Object.entries(byType)
        .map(([t, n]) => `${t} ${n}`)
        .join(', ')}`,
    );
  }
  for (const note of answer.notes ?? []) lines.push(`note: ${note}`);
  return lines.join('\n');
}

/** A profiling answer as Lambda Power Tuning users read theirs: one row per memory size. */
function formatProfiling(answer: ProfilingAnswer): string {
  const s = answer.summary;
  const lines = [
    `profiled ${answer.profile}: ${s.cells} cell(s) wanted runtimes (${s.skipped} not worth more than one); ` +
      `${s.calls} call(s), ${s.attempts} attempt(s), ` +
      `${s.failed} failed, cost ${usd(s.costUsd)}`,
  ];
  for (const size of answer.sizes) {
    const cpus = Object.entries(size.cpus)
      .map(([cpu, m]) => `${cpu} ${m.meanMs.toFixed(0)} ms (${m.calls})`)
      .join(', ');
    const best = size.best
      ? `best ${size.best.functionName} reject [${size.best.rejectCpus.join(', ')}]: ${usd(size.best.expectedCostUsd)}, ` +
        `${size.best.expectedRuntimeMs.toFixed(0)} ms`
      : 'nothing placeable';
    lines.push(`  ${size.arch} ${size.memoryMb} MB: ${best}${cpus ? `; measured ${cpus}` : ''}`);
  }
  for (const note of answer.notes ?? []) lines.push(`note: ${note}`);
  return lines.join('\n');
}

function truncate(text: string | undefined, max = 2000): string {
  if (text === undefined) return 'undefined';
  return text.length <= max ? text : `${text.slice(0, max)}… (${text.length} characters)`;
}
