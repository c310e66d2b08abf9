import { durationHours } from '../../lib/config';
import { coerceList, coerceNumber, coerceNumberList } from '../../lib/config/coerce';
import { closestMatch, editDistance } from '../../lib/config/suggest';

describe('coercion of -c strings', () => {
  it.each([
    ['42', 42],
    [' 0.5 ', 0.5],
    ['1e3', 1000],
    ['-7', -7],
    ['.25', 0.25],
    ['12abc', '12abc'],
    ['', ''],
    [3, 3],
    [true, true],
  ])('coerceNumber(%j) is %j', (value, expected) => {
    expect(coerceNumber(value)).toEqual(expected);
  });

  it.each([
    ['a,b', ['a', 'b']],
    [' a , b ,', ['a', 'b']],
    ['a', ['a']],
    ['', []],
    ['["x","y"]', ['x', 'y']],
    ['[broken', '[broken'],
    [['kept'], ['kept']],
    [5, 5],
  ])('coerceList(%j) is %j', (value, expected) => {
    expect(coerceList(value)).toEqual(expected);
  });

  it.each([
    ['128,256', [128, 256]],
    [
      ['512', 1024],
      [512, 1024],
    ],
    ['128,big', [128, 'big']],
    [7, 7],
  ])('coerceNumberList(%j) is %j', (value, expected) => {
    expect(coerceNumberList(value)).toEqual(expected);
  });
});

describe('durationHours', () => {
  it.each([
    ['22h', 22],
    ['90m', 1.5],
    ['45min', 0.75],
    ['1d', 24],
    ['1.5h', 1.5],
    ['6', 6],
    [12, 12],
    ['22 hours', undefined],
    ['1w', undefined],
    ['-1h', undefined],
    [Number.NaN, undefined],
    [null, undefined],
  ])('durationHours(%j) is %j', (value, expected) => {
    expect(durationHours(value)).toBe(expected);
  });
});

describe('typo suggestions', () => {
  it.each([
    ['kitten', 'sitting', 3],
    ['abc', 'abc', 0],
    ['', 'abc', 3],
    ['ABC', 'abc', 0],
  ])('editDistance(%s, %s) is %d', (a, b, distance) => {
    expect(editDistance(a, b)).toBe(distance);
    expect(editDistance(b, a)).toBe(distance);
  });

  it.each([
    ['regoins', ['regions', 'zones'], 'regions'],
    ['zone', ['regions', 'zones'], 'zones'],
    ['colour', ['regions', 'zones'], undefined],
    ['x', [], undefined],
  ])('closestMatch(%s) is %s', (value, candidates, expected) => {
    expect(closestMatch(value, candidates)).toBe(expected);
  });
});
