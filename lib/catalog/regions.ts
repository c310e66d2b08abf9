import type { GeoPoint } from '../core/types';

/** One commercial AWS region where Lambda runs. */
export interface RegionInfo {
  /** Region code, e.g. `us-west-1`. */
  readonly code: string;
  /** Display name as the AWS console spells it, e.g. `US West (N. California)`. */
  readonly name: string;
  /** Whether the account owner must enable the region before deploying to it. */
  readonly optIn: boolean;
  /** Approximate data-centre metro location. */
  readonly location: GeoPoint;
  /** The zones' AZ IDs (the same physical zone in every account). Not always contiguous. */
  readonly azIds: readonly string[];
}

/**
 * Every commercial AWS region where Lambda runs (partition `aws`; GovCloud and China are other partitions).
 *
 * Sources:
 * - Codes, names and opt-in status: AWS General Reference, "AWS Regions" (docs.aws.amazon.com/global-infrastructure,
 *   Regions and Availability Zones). Regions launched after March 2019 are opt-in.
 * - AZ IDs: AWS documentation "AWS Availability Zones" (AZ ID | Region | Geography tables) and
 *   "Availability Zone IDs for your AWS resources" (AWS RAM User Guide). Only the AZ IDs open to new accounts
 *   are listed: `usw1-az2` and `apne1-az3` are closed to new customers, which is why us-west-1 has
 *   `usw1-az1, usw1-az3` and ap-northeast-1 has `apne1-az1, az2, az4`; ca-central-1 has `cac1-az1, az2, az4`.
 *   `use1-az3` exists but is capacity-constrained for some resource types; it is listed because the
 *   documentation lists it.
 * - Coordinates: the SAAF `cpu_distribution` notebook's region coordinates (the project's shared
 *   `region-coordinates.json`, "approximate data-centre metro locations"), except where an entry says
 *   "metro location": there the notebook had no value, or its value was plainly another city (noted), and the
 *   coordinates are those of the metro the region is named after.
 *
 * Uncertain: the AZ IDs of the regions opened in 2024-2025 (ap-southeast-5, ap-southeast-7, mx-central-1,
 * ap-east-2, ap-southeast-6) follow the documented `<prefix>-az1..az3` pattern of a three-zone launch; check
 * `aws ec2 describe-availability-zones --region <code>` before relying on them.
 */
export const REGIONS: readonly RegionInfo[] = [
  // North America
  {
    code: 'us-east-1',
    name: 'US East (N. Virginia)',
    optIn: false,
    location: { lat: 39.0469, lon: -77.4903 },
    azIds: ['use1-az1', 'use1-az2', 'use1-az3', 'use1-az4', 'use1-az5', 'use1-az6'],
  },
  {
    code: 'us-east-2',
    name: 'US East (Ohio)',
    optIn: false,
    location: { lat: 39.9625, lon: -83.0061 },
    azIds: ['use2-az1', 'use2-az2', 'use2-az3'],
  },
  {
    code: 'us-west-1',
    name: 'US West (N. California)',
    optIn: false,
    location: { lat: 37.1835, lon: -121.7714 },
    azIds: ['usw1-az1', 'usw1-az3'],
  },
  {
    code: 'us-west-2',
    name: 'US West (Oregon)',
    optIn: false,
    location: { lat: 45.8234, lon: -119.7257 },
    azIds: ['usw2-az1', 'usw2-az2', 'usw2-az3', 'usw2-az4'],
  },
  {
    code: 'ca-central-1',
    name: 'Canada (Central)',
    optIn: false,
    location: { lat: 45.4995, lon: -73.5848 },
    azIds: ['cac1-az1', 'cac1-az2', 'cac1-az4'],
  },
  {
    // Metro location (Calgary); the notebook's value (53.73, -127.65) is in British Columbia.
    code: 'ca-west-1',
    name: 'Canada West (Calgary)',
    optIn: true,
    location: { lat: 51.0447, lon: -114.0719 },
    azIds: ['caw1-az1', 'caw1-az2', 'caw1-az3'],
  },
  {
    // Metro location (Querétaro); not in the notebook.
    code: 'mx-central-1',
    name: 'Mexico (Central)',
    optIn: true,
    location: { lat: 20.5888, lon: -100.3899 },
    azIds: ['mxc1-az1', 'mxc1-az2', 'mxc1-az3'],
  },
  // South America
  {
    code: 'sa-east-1',
    name: 'South America (São Paulo)',
    optIn: false,
    location: { lat: -23.5335, lon: -46.6359 },
    azIds: ['sae1-az1', 'sae1-az2', 'sae1-az3'],
  },
  // Europe
  {
    code: 'eu-west-1',
    name: 'Europe (Ireland)',
    optIn: false,
    location: { lat: 53.3379, lon: -6.2591 },
    azIds: ['euw1-az1', 'euw1-az2', 'euw1-az3'],
  },
  {
    code: 'eu-west-2',
    name: 'Europe (London)',
    optIn: false,
    location: { lat: 51.5164, lon: -0.093 },
    azIds: ['euw2-az1', 'euw2-az2', 'euw2-az3'],
  },
  {
    code: 'eu-west-3',
    name: 'Europe (Paris)',
    optIn: false,
    location: { lat: 48.8323, lon: 2.4075 },
    azIds: ['euw3-az1', 'euw3-az2', 'euw3-az3'],
  },
  {
    code: 'eu-central-1',
    name: 'Europe (Frankfurt)',
    optIn: false,
    location: { lat: 50.1188, lon: 8.6843 },
    azIds: ['euc1-az1', 'euc1-az2', 'euc1-az3'],
  },
  {
    // Metro location (Zurich); the notebook's value (50.11, 8.68) is Frankfurt.
    code: 'eu-central-2',
    name: 'Europe (Zurich)',
    optIn: true,
    location: { lat: 47.3769, lon: 8.5417 },
    azIds: ['euc2-az1', 'euc2-az2', 'euc2-az3'],
  },
  {
    code: 'eu-north-1',
    name: 'Europe (Stockholm)',
    optIn: false,
    location: { lat: 59.3287, lon: 18.0717 },
    azIds: ['eun1-az1', 'eun1-az2', 'eun1-az3'],
  },
  {
    code: 'eu-south-1',
    name: 'Europe (Milan)',
    optIn: true,
    location: { lat: 45.4722, lon: 9.1922 },
    azIds: ['eus1-az1', 'eus1-az2', 'eus1-az3'],
  },
  {
    // Metro location (Zaragoza, Aragón); the notebook's value (41.90, 12.50) is Rome.
    code: 'eu-south-2',
    name: 'Europe (Spain)',
    optIn: true,
    location: { lat: 41.6488, lon: -0.8891 },
    azIds: ['eus2-az1', 'eus2-az2', 'eus2-az3'],
  },
  // Middle East and Africa
  {
    code: 'af-south-1',
    name: 'Africa (Cape Town)',
    optIn: true,
    location: { lat: -34.0486, lon: 18.4811 },
    azIds: ['afs1-az1', 'afs1-az2', 'afs1-az3'],
  },
  {
    // Metro location (Tel Aviv); the notebook's value (31.05, 34.85) is the centre of the country.
    code: 'il-central-1',
    name: 'Israel (Tel Aviv)',
    optIn: true,
    location: { lat: 32.0853, lon: 34.7818 },
    azIds: ['ilc1-az1', 'ilc1-az2', 'ilc1-az3'],
  },
  {
    // Metro location (Manama); the notebook's value (24.77, 46.74) is Riyadh.
    code: 'me-south-1',
    name: 'Middle East (Bahrain)',
    optIn: true,
    location: { lat: 26.2285, lon: 50.586 },
    azIds: ['mes1-az1', 'mes1-az2', 'mes1-az3'],
  },
  {
    // Metro location (Dubai; AWS does not publish the emirate); the notebook's value (24.77, 46.74) is Riyadh.
    code: 'me-central-1',
    name: 'Middle East (UAE)',
    optIn: true,
    location: { lat: 25.2048, lon: 55.2708 },
    azIds: ['mec1-az1', 'mec1-az2', 'mec1-az3'],
  },
  // Asia Pacific
  {
    code: 'ap-east-1',
    name: 'Asia Pacific (Hong Kong)',
    optIn: true,
    location: { lat: 22.285521, lon: 114.157692 },
    azIds: ['ape1-az1', 'ape1-az2', 'ape1-az3'],
  },
  {
    // Metro location (Taipei); not in the notebook. Opened in 2025.
    code: 'ap-east-2',
    name: 'Asia Pacific (Taipei)',
    optIn: true,
    location: { lat: 25.033, lon: 121.5654 },
    azIds: ['ape2-az1', 'ape2-az2', 'ape2-az3'],
  },
  {
    code: 'ap-south-1',
    name: 'Asia Pacific (Mumbai)',
    optIn: false,
    location: { lat: 19.0748, lon: 72.8856 },
    azIds: ['aps1-az1', 'aps1-az2', 'aps1-az3'],
  },
  {
    // Metro location (Hyderabad); the notebook's value (20.00, 73.79) is Nashik.
    code: 'ap-south-2',
    name: 'Asia Pacific (Hyderabad)',
    optIn: true,
    location: { lat: 17.385, lon: 78.4867 },
    azIds: ['aps2-az1', 'aps2-az2', 'aps2-az3'],
  },
  {
    code: 'ap-northeast-1',
    name: 'Asia Pacific (Tokyo)',
    optIn: false,
    location: { lat: 35.6893, lon: 139.6899 },
    azIds: ['apne1-az1', 'apne1-az2', 'apne1-az4'],
  },
  {
    code: 'ap-northeast-2',
    name: 'Asia Pacific (Seoul)',
    optIn: false,
    location: { lat: 37.4585, lon: 126.7015 },
    azIds: ['apne2-az1', 'apne2-az2', 'apne2-az3', 'apne2-az4'],
  },
  {
    code: 'ap-northeast-3',
    name: 'Asia Pacific (Osaka)',
    optIn: false,
    location: { lat: 34.6946, lon: 135.5021 },
    azIds: ['apne3-az1', 'apne3-az2', 'apne3-az3'],
  },
  {
    code: 'ap-southeast-1',
    name: 'Asia Pacific (Singapore)',
    optIn: false,
    location: { lat: 1.3036, lon: 103.8554 },
    azIds: ['apse1-az1', 'apse1-az2', 'apse1-az3'],
  },
  {
    code: 'ap-southeast-2',
    name: 'Asia Pacific (Sydney)',
    optIn: false,
    location: { lat: -33.8715, lon: 151.2006 },
    azIds: ['apse2-az1', 'apse2-az2', 'apse2-az3'],
  },
  {
    // Metro location (Jakarta); the notebook's value (1.35, 103.82) is Singapore.
    code: 'ap-southeast-3',
    name: 'Asia Pacific (Jakarta)',
    optIn: true,
    location: { lat: -6.2088, lon: 106.8456 },
    azIds: ['apse3-az1', 'apse3-az2', 'apse3-az3'],
  },
  {
    // Metro location (Melbourne); the notebook's value (1.35, 103.82) is Singapore.
    code: 'ap-southeast-4',
    name: 'Asia Pacific (Melbourne)',
    optIn: true,
    location: { lat: -37.8136, lon: 144.9631 },
    azIds: ['apse4-az1', 'apse4-az2', 'apse4-az3'],
  },
  {
    // Metro location (Kuala Lumpur); not in the notebook.
    code: 'ap-southeast-5',
    name: 'Asia Pacific (Malaysia)',
    optIn: true,
    location: { lat: 3.139, lon: 101.6869 },
    azIds: ['apse5-az1', 'apse5-az2', 'apse5-az3'],
  },
  {
    // Metro location (Auckland); not in the notebook. Opened in 2025.
    code: 'ap-southeast-6',
    name: 'Asia Pacific (New Zealand)',
    optIn: true,
    location: { lat: -36.8485, lon: 174.7633 },
    azIds: ['apse6-az1', 'apse6-az2', 'apse6-az3'],
  },
  {
    // Metro location (Bangkok); not in the notebook.
    code: 'ap-southeast-7',
    name: 'Asia Pacific (Thailand)',
    optIn: true,
    location: { lat: 13.7563, lon: 100.5018 },
    azIds: ['apse7-az1', 'apse7-az2', 'apse7-az3'],
  },
];
