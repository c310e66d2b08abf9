/**
 * Seeded randomness. Every random draw of the twin comes from a stream derived from the
 * scenario seed and a label (`zone/usw1-az1/day/3/hosts`), so that runs are reproducible and
 * independent parts (days, zones, bursts) do not shift each other's draws.
 */

/** A seeded stream of uniform numbers in [0, 1). */
export interface Rng {
  next(): number;
}

/** 32-bit FNV-1a style mix of a string into four 32-bit words (cyrb128). */
function hash128(text: string): [number, number, number, number] {
  let h1 = 1779033703;
  let h2 = 3144134277;
  let h3 = 1013904242;
  let h4 = 2773480762;
  for (let i = 0; i < text.length; i++) {
    const k = text.charCodeAt(i);
    h1 = h2 ^ Math.imul(h1 ^ k, 597399067);
    h2 = h3 ^ Math.imul(h2 ^ k, 2869860233);
    h3 = h4 ^ Math.imul(h3 ^ k, 951274213);
    h4 = h1 ^ Math.imul(h4 ^ k, 2716044179);
  }
  h1 = Math.imul(h3 ^ (h1 >>> 18), 597399067);
  h2 = Math.imul(h4 ^ (h2 >>> 22), 2869860233);
  h3 = Math.imul(h1 ^ (h3 >>> 17), 951274213);
  h4 = Math.imul(h2 ^ (h4 >>> 19), 2716044179);
  return [(h1 ^ h2 ^ h3 ^ h4) >>> 0, (h2 ^ h1) >>> 0, (h3 ^ h1) >>> 0, (h4 ^ h1) >>> 0];
}

/** sfc32: a small, fast generator with a 128-bit state that passes PractRand to 2^40+ bytes. */
class Sfc32 implements Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  constructor([a, b, c, d]: [number, number, number, number]) {
    this.a = a;
    this.b = b;
    this.c = c;
    this.d = d;
    for (let i = 0; i < 12; i++) this.next();
  }
  next(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return (t >>> 0) / 4294967296;
  }
}

/**
 * A stream for one purpose, derived from the seed and a label.
 * @example
 * const rng = rngFor(7, 'zone', 'usw1-az1', 'day', 3);
 * rng.next(); // same value on every run
 */
export function rngFor(seed: number, ...label: ReadonlyArray<string | number>): Rng {
  return new Sfc32(hash128(`${seed}|${label.join('|')}`));
}

/** A uniform integer in [0, n). */
export function randomIndex(rng: Rng, n: number): number {
  return Math.floor(rng.next() * n);
}

/** A standard normal draw (Box–Muller; one of the pair is discarded for simplicity). */
export function standardNormal(rng: Rng): number {
  let u = rng.next();
  while (u <= Number.EPSILON) u = rng.next();
  const v = rng.next();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/**
 * A runtime noise factor with mean 1 and coefficient of variation `cv`: lognormal, so it is never
 * negative, with σ² = ln(1 + cv²) and μ = −σ²/2 (which makes its mean exactly 1).
 */
export function lognormalFactor(rng: Rng, cv: number): number {
  if (cv <= 0) return 1;
  const sigma2 = Math.log(1 + cv * cv);
  return Math.exp(-sigma2 / 2 + Math.sqrt(sigma2) * standardNormal(rng));
}

/** A normal noise factor with mean 1 and standard deviation `cv`, clipped at 0.05 so runtimes stay positive. */
export function normalFactor(rng: Rng, cv: number): number {
  if (cv <= 0) return 1;
  return Math.max(0.05, 1 + cv * standardNormal(rng));
}

/** Fisher–Yates shuffle in place. */
export function shuffleInPlace<T>(rng: Rng, items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = randomIndex(rng, i + 1);
    const t = items[i];
    items[i] = items[j];
    items[j] = t;
  }
  return items;
}
