import { ReportDataError } from './errors';
import type { ReportData } from './types';

function isDay(value: unknown): boolean {
  return Number.isInteger(value) && (value as number) >= 0;
}

function isNonNegative(value: unknown): boolean {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}

function isApe(value: unknown): boolean {
  return isNonNegative(value) && (value as number) <= 200;
}

function check(ok: boolean, field: string, value: unknown, allowed: string): void {
  if (!ok) throw new ReportDataError(field, value, allowed);
}

/**
 * Checks that report data can be drawn honestly: days are whole and non-negative, counts and costs
 * finite and non-negative, APEs within 0..200, every row's zone is one of the report's zones and every
 * featured workload has cost rows. Throws {@link ReportDataError} naming the first bad field.
 */
export function validateReportData(data: ReportData): void {
  check(data.zones.length > 0, 'zones', data.zones, 'at least one zone');
  const zoneIds = new Set(data.zones.map((zone) => zone.azId));
  const knownZone = `one of ${[...zoneIds].join(', ')}`;
  check(isDay(data.scenario.days) && data.scenario.days > 0, 'scenario.days', data.scenario.days, 'a whole number ≥ 1');
  data.cpuMix.forEach((row, i) => {
    check(zoneIds.has(row.azId), `cpuMix[${i}].azId`, row.azId, knownZone);
    check(isDay(row.day), `cpuMix[${i}].day`, row.day, 'a whole number ≥ 0');
    check(isNonNegative(row.count), `cpuMix[${i}].count`, row.count, 'a finite number ≥ 0');
  });
  data.apeByPolls.forEach((row, i) => {
    check(zoneIds.has(row.azId), `apeByPolls[${i}].azId`, row.azId, knownZone);
    check(isDay(row.day), `apeByPolls[${i}].day`, row.day, 'a whole number ≥ 0');
    check(Number.isInteger(row.polls) && row.polls >= 1, `apeByPolls[${i}].polls`, row.polls, 'a whole number ≥ 1');
    check(isApe(row.ape), `apeByPolls[${i}].ape`, row.ape, 'a number from 0 to 200');
  });
  data.drift.forEach((row, i) => {
    check(zoneIds.has(row.azId), `drift[${i}].azId`, row.azId, knownZone);
    check(isDay(row.day), `drift[${i}].day`, row.day, 'a whole number ≥ 0');
    check(isApe(row.apeVsFirstDay), `drift[${i}].apeVsFirstDay`, row.apeVsFirstDay, 'a number from 0 to 200');
  });
  data.costPerDay.forEach((row, i) => {
    check(isDay(row.day), `costPerDay[${i}].day`, row.day, 'a whole number ≥ 0');
    check(isNonNegative(row.costUsd), `costPerDay[${i}].costUsd`, row.costUsd, 'a finite number ≥ 0');
  });
  const costed = new Set(data.costPerDay.map((row) => row.workload));
  data.featuredWorkloads.forEach((workload, i) => {
    check(
      costed.has(workload),
      `featuredWorkloads[${i}]`,
      workload,
      `a workload with cost rows: ${[...costed].join(', ')}`,
    );
  });
  data.workloadSavings.forEach((row, i) => {
    check(Number.isFinite(row.savingsPct), `workloadSavings[${i}].savingsPct`, row.savingsPct, 'a finite number');
  });
  (data.costCarbon ?? []).forEach((row, i) => {
    check(zoneIds.has(row.azId), `costCarbon[${i}].azId`, row.azId, knownZone);
    check(isNonNegative(row.carbonWeight), `costCarbon[${i}].carbonWeight`, row.carbonWeight, 'a finite number ≥ 0');
    check(
      isNonNegative(row.costUsdPer1000),
      `costCarbon[${i}].costUsdPer1000`,
      row.costUsdPer1000,
      'a finite number ≥ 0',
    );
    check(
      isNonNegative(row.carbonGPer1000),
      `costCarbon[${i}].carbonGPer1000`,
      row.carbonGPer1000,
      'a finite number ≥ 0',
    );
  });
  data.summary.zones.forEach((row, i) => {
    check(zoneIds.has(row.azId), `summary.zones[${i}].azId`, row.azId, knownZone);
    for (const [cpu, count] of Object.entries(row.counts)) {
      check(isNonNegative(count), `summary.zones[${i}].counts.${cpu}`, count, 'a finite number ≥ 0');
    }
    check(
      row.apeVsTruth === null || isApe(row.apeVsTruth),
      `summary.zones[${i}].apeVsTruth`,
      row.apeVsTruth,
      'null or 0..200',
    );
  });
  if (data.summary.profiling) {
    const { requests, attempts, costUsd } = data.summary.profiling;
    check(isNonNegative(costUsd), 'summary.profiling.costUsd', costUsd, 'a finite number ≥ 0');
    check(Number.isInteger(requests) && requests >= 0, 'summary.profiling.requests', requests, 'a whole number ≥ 0');
    check(
      Number.isInteger(attempts) && attempts >= requests,
      'summary.profiling.attempts',
      attempts,
      'a whole number ≥ the requests',
    );
  }
  data.summary.strategies.forEach((row, i) => {
    check(isNonNegative(row.costUsd), `summary.strategies[${i}].costUsd`, row.costUsd, 'a finite number ≥ 0');
    check(Number.isFinite(row.savingsPct), `summary.strategies[${i}].savingsPct`, row.savingsPct, 'a finite number');
    check(
      Number.isInteger(row.failed) && row.failed >= 0 && row.failed <= row.requests,
      `summary.strategies[${i}].failed`,
      row.failed,
      'a whole number from 0 to the requests',
    );
    check(
      isNonNegative(row.attemptsPerRequest),
      `summary.strategies[${i}].attemptsPerRequest`,
      row.attemptsPerRequest,
      'a finite number ≥ 0',
    );
    (row.memorySizes ?? []).forEach((mb, j) => {
      check(
        Number.isInteger(mb) && mb > 0,
        `summary.strategies[${i}].memorySizes[${j}]`,
        mb,
        'a whole number of MB > 0',
      );
    });
  });
}
