import { createServer } from 'node:http';
import { functionListener } from '../../lib/providers/function-server';
import { bearerCheck, type CallerCheck, hmacCheck, iamTokenCheck } from '../../lib/providers/verify';
import { endpointFunction } from './entry';

/**
 * The container entry for IBM Code Engine and for any HTTPS endpoint a user runs: an HTTP server on
 * `PORT` (Code Engine sets it; default 8080) that checks the caller, then runs the function (see
 * `entry.ts`). The caller check comes from the environment, never from the request:
 *
 * | `SKY_AUTH` | checks | variables |
 * |---|---|---|
 * | `ibm-iam` | an IBM Cloud IAM bearer token, signed by IAM, unexpired, of an allowed IAM ID | `SKY_ALLOWED_IAM_IDS` (comma-separated), `SKY_IAM_KEYS_URL` (default IAM's) |
 * | `bearer` | `Authorization: Bearer <secret>` | `SKY_ENDPOINT_SECRET` |
 * | `hmac` | `X-Sky-Signature` over the time and body | `SKY_ENDPOINT_SECRET` |
 *
 * The server refuses to start without a complete check: an endpoint is never open to anyone.
 */
export function callerCheckFromEnv(env: Readonly<Record<string, string | undefined>>): CallerCheck {
  const scheme = env.SKY_AUTH;
  if (scheme === 'ibm-iam') {
    const ids = (env.SKY_ALLOWED_IAM_IDS ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    if (ids.length === 0) throw new Error('SKY_AUTH=ibm-iam needs SKY_ALLOWED_IAM_IDS: the IAM IDs allowed to call');
    return iamTokenCheck({ allowedIamIds: ids, ...(env.SKY_IAM_KEYS_URL ? { keysUrl: env.SKY_IAM_KEYS_URL } : {}) });
  }
  if (scheme === 'bearer' || scheme === 'hmac') {
    const secret = env.SKY_ENDPOINT_SECRET;
    if (!secret || secret.length < 16)
      throw new Error(`SKY_AUTH=${scheme} needs SKY_ENDPOINT_SECRET of 16 characters or more`);
    return scheme === 'bearer' ? bearerCheck(secret) : hmacCheck(secret);
  }
  throw new Error(
    `SKY_AUTH must be ibm-iam, bearer or hmac, not ${scheme === undefined ? 'unset' : JSON.stringify(scheme)}`,
  );
}

/** Starts the endpoint's server; resolves with it once it listens. */
export function startEndpointServer(env: Readonly<Record<string, string | undefined>> = process.env) {
  const check = callerCheckFromEnv(env);
  const run = endpointFunction(env);
  const server = createServer(
    functionListener({
      check: () => check,
      call: async (_path, payload) => ({ kind: 'ok', payload: await run(payload) }),
    }),
  );
  const port = Number(env.PORT ?? '8080');
  return new Promise<typeof server>((resolve) => server.listen(port, () => resolve(server)));
}

if (require.main === module) {
  startEndpointServer().catch((error: unknown) => {
    console.error((error as Error).message ?? error);
    process.exit(1);
  });
}
