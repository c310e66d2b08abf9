import { initWasBilled, reportLine, reportOfLogTail } from '../../lib/contracts';

const TEXT_TAIL = [
  'START RequestId: 5b3f Version: $LATEST',
  'a line the handler logged: Duration: 5 ms',
  'END RequestId: 5b3f',
  'REPORT RequestId: 5b3f\tDuration: 102.25 ms\tBilled Duration: 253 ms\tMemory Size: 512 MB\tMax Memory Used: 89 MB\tInit Duration: 150.12 ms\t',
  '',
].join('\n');

describe("Lambda's REPORT record in an invoke's log tail", () => {
  it('reads Billed Duration, Duration and Init Duration from the text format, each by its own name', () => {
    expect(reportOfLogTail(TEXT_TAIL)).toEqual({ billedMs: 253, durationMs: 102.25, initMs: 150.12 });
  });

  it('reads the tail as LogResult gives it (base64)', () => {
    expect(reportOfLogTail(Buffer.from(TEXT_TAIL).toString('base64'), 'base64')).toEqual({
      billedMs: 253,
      durationMs: 102.25,
      initMs: 150.12,
    });
  });

  it('has no INIT for a warm instance', () => {
    const warm = 'REPORT RequestId: 6c4a\tDuration: 9.71 ms\tBilled Duration: 10 ms\tMemory Size: 128 MB\t';
    expect(reportOfLogTail(warm)).toEqual({ billedMs: 10, durationMs: 9.71 });
  });

  it('reads the JSON log format (a platform.report event)', () => {
    const event = {
      time: '2026-11-30T10:00:00.000Z',
      type: 'platform.report',
      record: {
        requestId: '5b3f',
        metrics: { durationMs: 102.25, billedDurationMs: 253, memorySizeMB: 512, initDurationMs: 150.12 },
        status: 'success',
      },
    };
    const tail = `{"time":"2026-11-30T10:00:00.000Z","type":"platform.start","record":{}}\n${JSON.stringify(event)}\n`;
    expect(reportOfLogTail(tail)).toEqual({ billedMs: 253, durationMs: 102.25, initMs: 150.12 });
  });

  it('is undefined where the tail holds no REPORT with a Billed Duration', () => {
    expect(reportOfLogTail('')).toBeUndefined();
    expect(reportOfLogTail('START RequestId: 1 Version: $LATEST\nEND RequestId: 1\n')).toBeUndefined();
    expect(reportOfLogTail('REPORT RequestId: 1\tDuration: 9.71 ms\t')).toBeUndefined();
    expect(reportOfLogTail('{"type":"platform.report","record":{"metrics":{"durationMs":3}}}')).toBeUndefined();
    expect(reportOfLogTail('{not json')).toBeUndefined();
  });

  it('writes a line it reads back (the twin emulates the record with it)', () => {
    const report = { billedMs: 161, durationMs: 10.5, initMs: 150 };
    expect(reportOfLogTail(reportLine('9d1e', report, 1024))).toEqual(report);
    expect(reportLine('9d1e', { billedMs: 10.2 })).toBe('REPORT RequestId: 9d1e\tBilled Duration: 11 ms\t');
  });
});

describe('whether a REPORT record billed its INIT', () => {
  it('tells from Billed Duration covering the run and the INIT, and only where the record gives both', () => {
    // 2026 billing: ceil(102.25 + 150.12) = 253
    expect(initWasBilled(reportOfLogTail(TEXT_TAIL) ?? { billedMs: 0 })).toBe(true);
    // 2024 billing: the run alone, rounded up
    expect(initWasBilled({ billedMs: 103, durationMs: 102.25, initMs: 150.12 })).toBe(false);
    expect(initWasBilled({ billedMs: 103, durationMs: 102.25 })).toBeUndefined();
    expect(initWasBilled({ billedMs: 253, initMs: 150.12 })).toBeUndefined();
  });
});
