import type { GeoPoint } from './types';

/**
 * Network latency from distance. Light in fibre covers ~200 km per ms, and routes run longer than
 * the great circle, so measured round trips between cloud regions come to ~0.013–0.016 ms per km
 * (e.g. New York–London 5,570 km ≈ 75 ms; San Francisco–Sydney 11,950 km ≈ 150 ms). We estimate
 * a round trip as 5 ms (last mile and TLS-free request handling) plus 0.014 ms per great-circle km.
 */
export const RTT_MS_PER_KM = 0.014;
export const RTT_BASE_MS = 5;
const EARTH_RADIUS_KM = 6371;

/** Great-circle distance in km (haversine). */
export function greatCircleKm(a: GeoPoint, b: GeoPoint): number {
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLon = (b.lon - a.lon) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** Estimated network round trip between two points, ms. */
export function networkRttMs(a: GeoPoint, b: GeoPoint): number {
  return RTT_BASE_MS + RTT_MS_PER_KM * greatCircleKm(a, b);
}
