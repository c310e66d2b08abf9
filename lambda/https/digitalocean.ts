import { type EndpointFunction, endpointFunction } from './entry';

/**
 * The DigitalOcean Functions entry (`main`), deployed as a secure web function (`web: true`,
 * `webSecure: <secret>` in project.yml): DigitalOcean checks `X-Require-Whisk-Auth` before the code runs.
 * The JSON body's fields arrive as the arguments, beside the platform's own `__ow_*` fields and the
 * project's parameters (`SKY_FUNCTION`, `SKY_SAMPLER_INDEX`, `SKY_AZ_ID`), which are taken out before the
 * request reaches the function. The answer is the body of a 200.
 */
let run: EndpointFunction | undefined;

const PARAMETERS = new Set(['SKY_FUNCTION', 'SKY_SAMPLER_INDEX', 'SKY_AZ_ID', 'SKY_SAMPLER_SLEEP_MS']);

export async function main(args: Record<string, unknown>): Promise<{ statusCode: number; body: unknown }> {
  const env: Record<string, string | undefined> = {};
  const request: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(args ?? {})) {
    if (PARAMETERS.has(key)) env[key] = String(value);
    else if (!key.startsWith('__ow_')) request[key] = value;
  }
  run ??= endpointFunction(env);
  return { statusCode: 200, body: await run(request) };
}
