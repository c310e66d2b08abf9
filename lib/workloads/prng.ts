/**
 * mulberry32: a tiny seeded PRNG (public-domain algorithm by Tommy Ettinger), so every workload
 * generates the same input for the same seed on every instance and CPU.
 */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** An integer in [0, n). */
export function randomInt(random: () => number, n: number): number {
  return Math.floor(random() * n);
}

/** Random lowercase ASCII text of `length` bytes with spaces and newlines, like prose. */
export function randomTextBytes(random: () => number, length: number): Buffer {
  const out = Buffer.allocUnsafe(length);
  for (let i = 0; i < length; i++) {
    const r = random();
    // 15% spaces, 1% newlines, the rest letters a-z.
    out[i] = r < 0.15 ? 0x20 : r < 0.16 ? 0x0a : 0x61 + Math.floor(((r - 0.16) / 0.84) * 26);
  }
  return out;
}

/** Random lowercase text of `length` characters with spaces and newlines, like prose. */
export function randomText(random: () => number, length: number): string {
  return randomTextBytes(random, length).toString('latin1');
}
