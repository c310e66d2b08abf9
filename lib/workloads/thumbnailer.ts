import { prng } from './prng';
import type { Workload } from './types';

export interface ThumbnailerInput {
  readonly seed: number;
  readonly width: number;
  readonly height: number;
  /** Integer shrink factors; each must divide width and height. */
  readonly factors: readonly number[];
  /** Times the whole set of thumbnails is made. */
  readonly rounds: number;
}

export interface Thumbnail {
  readonly width: number;
  readonly height: number;
  /** Mean channel value (0..255). */
  readonly mean: number;
}

export interface ThumbnailerOutput {
  readonly width: number;
  readonly height: number;
  readonly sourceMean: number;
  readonly thumbnails: readonly Thumbnail[];
}

/** A random RGB bitmap: 3 bytes per pixel, row-major. */
export function randomBitmap(seed: number, width: number, height: number): Uint8Array {
  const random = prng(seed);
  const pixels = new Uint8Array(width * height * 3);
  for (let i = 0; i < pixels.length; i += 4) {
    const r = (random() * 4294967296) >>> 0;
    pixels[i] = r & 255;
    if (i + 1 < pixels.length) pixels[i + 1] = (r >>> 8) & 255;
    if (i + 2 < pixels.length) pixels[i + 2] = (r >>> 16) & 255;
    if (i + 3 < pixels.length) pixels[i + 3] = r >>> 24;
  }
  return pixels;
}

/** Shrinks an RGB bitmap by an integer factor with a box filter (each output pixel is the rounded mean of a factor × factor block). */
export function boxScale(pixels: Uint8Array, width: number, height: number, factor: number): Uint8Array {
  const w = width / factor;
  const h = height / factor;
  const out = new Uint8Array(w * h * 3);
  const sums = new Uint32Array(w * 3);
  const area = factor * factor;
  for (let y = 0; y < h; y++) {
    sums.fill(0);
    for (let dy = 0; dy < factor; dy++) {
      const row = (y * factor + dy) * width * 3;
      for (let x = 0; x < w; x++) {
        let at = row + x * factor * 3;
        for (let dx = 0; dx < factor; dx++, at += 3) {
          sums[x * 3]! += pixels[at]!;
          sums[x * 3 + 1]! += pixels[at + 1]!;
          sums[x * 3 + 2]! += pixels[at + 2]!;
        }
      }
    }
    const base = y * w * 3;
    for (let i = 0; i < w * 3; i++) out[base + i] = Math.round(sums[i]! / area);
  }
  return out;
}

function mean(pixels: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < pixels.length; i++) sum += pixels[i]!;
  return sum / pixels.length;
}

/** Table 1: "Generates a random bitmap image and scales it to different sizes." */
export const thumbnailer: Workload<ThumbnailerInput, ThumbnailerOutput> = {
  name: 'thumbnailer',
  vCpus: 1,
  description: 'Generates a random bitmap image and scales it to different sizes.',
  sizes: {
    test: { seed: 17, width: 256, height: 192, factors: [2, 4, 8], rounds: 1 },
    small: { seed: 17, width: 2048, height: 1536, factors: [2, 4, 8, 16], rounds: 5 },
    large: { seed: 17, width: 8192, height: 6144, factors: [2, 4, 8, 16, 32], rounds: 6 },
  },
  run(input) {
    for (const f of input.factors) {
      if (!Number.isInteger(f) || f < 1 || input.width % f !== 0 || input.height % f !== 0) {
        throw new RangeError(`factor ${f} must be a positive integer dividing ${input.width}x${input.height}`);
      }
    }
    const source = randomBitmap(input.seed, input.width, input.height);
    let thumbnails: Thumbnail[] = [];
    for (let round = 0; round < input.rounds; round++) {
      thumbnails = input.factors.map((f) => ({
        width: input.width / f,
        height: input.height / f,
        mean: mean(boxScale(source, input.width, input.height, f)),
      }));
    }
    return { width: input.width, height: input.height, sourceMean: mean(source), thumbnails };
  },
  check(output, input) {
    if (output.thumbnails.length !== input.factors.length) return 'wrong number of thumbnails';
    for (const [i, t] of output.thumbnails.entries()) {
      const f = input.factors[i]!;
      if (t.width !== input.width / f || t.height !== input.height / f)
        return `thumbnail ${i} is ${t.width}x${t.height}`;
      // A box filter keeps the mean; per-pixel rounding moves it by at most 0.5.
      if (Math.abs(t.mean - output.sourceMean) > 0.5)
        return `thumbnail ${i} mean ${t.mean} vs source ${output.sourceMean}`;
    }
    return undefined;
  },
};
