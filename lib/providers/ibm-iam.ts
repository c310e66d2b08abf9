import { IBM_IAM_TOKEN_URL } from './config';
import { IamTokenError } from './errors';

/** Renew a token this long before it expires, ms (IAM tokens last an hour). */
export const TOKEN_RENEW_MARGIN_MS = 5 * 60_000;

export interface IamTokenSourceOptions {
  /** Reads the API key (from configuration or Secrets Manager). */
  readonly apiKey: () => Promise<string>;
  /** @default https://iam.cloud.ibm.com/identity/token */
  readonly tokenUrl?: string;
  /** @default globalThis.fetch */
  readonly fetch?: typeof fetch;
  /** @default Date.now */
  readonly clock?: () => number;
  /** @default 10000 */
  readonly timeoutMs?: number;
}

/**
 * Bearer tokens for IBM Cloud from an IAM API key: `POST <tokenUrl>` with
 * `grant_type=urn:ibm:params:oauth:grant-type:apikey&apikey=<key>` (form-encoded) answers
 * `{ access_token, expires_in, expiration }`. The token is kept until `TOKEN_RENEW_MARGIN_MS` before it
 * expires; concurrent callers share one exchange; `invalidate()` drops a token an endpoint refused.
 */
export class IamTokenSource {
  private token: { value: string; expiresAt: number } | undefined;
  private pending: Promise<string> | undefined;
  private readonly tokenUrl: string;
  private readonly clock: () => number;
  /** Exchanges made so far (for tests and metrics). */
  exchanges = 0;

  constructor(private readonly options: IamTokenSourceOptions) {
    this.tokenUrl = options.tokenUrl ?? IBM_IAM_TOKEN_URL;
    this.clock = options.clock ?? Date.now;
  }

  /** A valid bearer token. Throws `IamTokenError`. */
  async get(): Promise<string> {
    if (this.token && this.token.expiresAt - TOKEN_RENEW_MARGIN_MS > this.clock()) return this.token.value;
    this.pending ??= this.exchange().finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  /** Forgets the token, so the next `get()` exchanges the key again. */
  invalidate(): void {
    this.token = undefined;
  }

  private async exchange(): Promise<string> {
    const apiKey = await this.options.apiKey();
    const body = new URLSearchParams({ grant_type: 'urn:ibm:params:oauth:grant-type:apikey', apikey: apiKey });
    const started = this.clock();
    let response: Response;
    try {
      response = await (this.options.fetch ?? fetch)(this.tokenUrl, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
        body: body.toString(),
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000),
      });
    } catch (error) {
      throw new IamTokenError(this.tokenUrl, undefined, causeOf(error));
    }
    this.exchanges++;
    const text = await response.text();
    if (!response.ok) {
      // IAM names the problem in errorMessage (e.g. "Provided API key could not be found").
      let reason = `HTTP ${response.status}`;
      try {
        const parsed = JSON.parse(text) as { errorMessage?: string; errorCode?: string };
        reason = [parsed.errorCode, parsed.errorMessage].filter(Boolean).join(': ') || reason;
      } catch {
        // keep the status
      }
      throw new IamTokenError(this.tokenUrl, response.status, reason);
    }
    let parsed: { access_token?: unknown; expires_in?: unknown; expiration?: unknown };
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new IamTokenError(this.tokenUrl, response.status, 'the answer is not JSON');
    }
    if (typeof parsed.access_token !== 'string' || parsed.access_token.length === 0) {
      throw new IamTokenError(this.tokenUrl, response.status, 'the answer has no access_token');
    }
    const expiresAt =
      typeof parsed.expiration === 'number'
        ? parsed.expiration * 1000
        : started + (typeof parsed.expires_in === 'number' ? parsed.expires_in : 3600) * 1000;
    this.token = { value: parsed.access_token, expiresAt };
    return parsed.access_token;
  }
}

/** Whether a fetch failed because its signal ran out (or aborted it). */
export function isTimeout(error: unknown): boolean {
  const name = (error as { name?: string } | undefined)?.name;
  return name === 'TimeoutError' || name === 'AbortError';
}

/** The cause of a failed fetch in words (undici hides the socket error under `cause`). */
export function causeOf(error: unknown): string {
  type Cause = { code?: string; message?: string; errors?: Cause[] };
  const e = error as { name?: string; message?: string; cause?: Cause };
  if (isTimeout(error)) return 'no answer in time';
  const cause = e?.cause?.errors?.[0] ?? e?.cause;
  if (cause?.code) return `${cause.code}${cause.message ? ` (${cause.message})` : ''}`;
  return cause?.message ?? e?.message ?? String(error);
}
