import { z } from 'zod';
import { type ExternalZoneInput, parseExternalZones } from '../providers/config';

/**
 * The `endpoints` setting: zones on other providers (IBM Code Engine, DigitalOcean Functions, HTTPS
 * endpoints a user runs) the router may route to, as a list (or its JSON text, for `-c`). Each is checked
 * as the router will read it (`parseExternalZones`), and a secret's value may not appear: the settings end
 * up in the template, so secrets are named by Secrets Manager ID (or an environment variable), never given.
 */
export const ENDPOINTS_RULE = {
  schema: z.preprocess(
    (value) => {
      if (typeof value !== 'string') return value;
      try {
        return JSON.parse(value);
      } catch {
        return value;
      }
    },
    z.array(z.unknown()).superRefine((zones, ctx) => {
      zones.forEach((zone, i) => {
        const auth = (zone as { auth?: Record<string, unknown> } | null)?.auth;
        const ref = auth && typeof auth === 'object' ? (auth.apiKey ?? auth.secret) : undefined;
        if (ref !== null && typeof ref === 'object' && 'value' in ref) {
          ctx.addIssue({
            code: 'custom',
            path: [i, 'auth'],
            message:
              'a secret value would be stored in the template: name it by { "secretId": ... } (Secrets Manager) instead',
          });
        }
      });
      if (ctx.value.length === 0) return;
      try {
        parseExternalZones(zones, 'endpoints');
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: (error as Error).message });
      }
    }),
  ) as z.ZodType<readonly ExternalZoneInput[]>,
  allowed:
    'a list of external zones: { provider: "ibm-code-engine" | "digitalocean" | "https", region, functions: { "<MB>": "https://..." }, samplers?: [...], auth: { type, apiKey | secret: { secretId } } }',
};
