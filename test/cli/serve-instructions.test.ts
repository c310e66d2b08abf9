import { execFileSync } from 'node:child_process';
import { serveInstructions } from '../../lib/cli/local-command';
import type { LocalSkyWorld } from '../../lib/local/options';
import { externalZonesFromEnv } from '../../lib/providers';
import type { SummaryTable } from '../../lib/report/types';

/** A served local sky with one zone on DigitalOcean whose URL and variable name need shell quoting. */
const WORLD: LocalSkyWorld = {
  lambdaEndpoint: 'http://127.0.0.1:4001',
  dynamoEndpoint: 'http://127.0.0.1:4002',
  tableRegion: 'us-west-2',
  tableName: 'skymesh',
  deployed: { zones: [{ azId: 'usw2-az1', region: 'us-west-2' }], memorySizes: [2048], architectures: ['x86_64'] },
  endpoints: [
    {
      provider: 'digitalocean',
      region: 'tor1',
      functions: { '1024': "http://127.0.0.1:4003/do-tor1/dynamic-1024?it's=1&a=$HOME" },
      auth: { type: 'digitalocean-secret', secret: { env: 'SKY_LOCAL_SECRET_DO_TOR1' } },
    },
  ],
  summary: {} as SummaryTable,
};

/** What a POSIX shell holds in SKY_ENDPOINTS after running the printed export lines. */
function exportedEndpoints(instructions: string): string | undefined {
  const exports = instructions
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.startsWith('export '));
  const out = execFileSync('sh', ['-c', `${exports.join('\n')}\nprintf %s "\${SKY_ENDPOINTS-unset}"`], {
    env: { PATH: process.env.PATH },
  }).toString();
  return out === 'unset' ? undefined : out;
}

describe('sky local --serve instructions', () => {
  it('export the zones on other providers as SKY_ENDPOINTS, which sky plan reads back unchanged', () => {
    const exported = exportedEndpoints(serveInstructions(WORLD));
    expect(exported).toBeDefined();
    expect(JSON.parse(exported as string)).toEqual(WORLD.endpoints);
    const zones = externalZonesFromEnv({ SKY_ENDPOINTS: exported });
    expect(zones.map((z) => z.azId)).toEqual(['do-tor1']);
    expect(zones[0].functions.get(1024)).toBe(WORLD.endpoints[0].functions?.['1024']);
  });

  it('export no SKY_ENDPOINTS for a sky on Lambda only', () => {
    expect(exportedEndpoints(serveInstructions({ ...WORLD, endpoints: [] }))).toBeUndefined();
  });
});
