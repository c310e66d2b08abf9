const DURATION_PATTERN = /^(\d+(?:\.\d+)?)\s*(m|min|h|d)$/i;

const HOURS_PER_UNIT: Readonly<Record<string, number>> = { m: 1 / 60, min: 1 / 60, h: 1, d: 24 };

/**
 * Hours in a duration written like `90m`, `22h` or `1d`; a bare number is taken as hours.
 * Returns `undefined` when the value is not such a duration.
 *
 * @example
 * durationHours('90m'); // 1.5
 */
export function durationHours(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text);
  const match = DURATION_PATTERN.exec(text);
  if (!match) return undefined;
  return Number(match[1]) * HOURS_PER_UNIT[match[2].toLowerCase()];
}
