import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SecretRef } from './config';
import { SecretUnavailableError } from './errors';

/** Reads a secret's text by its Secrets Manager name or ARN. */
export type SecretsManagerRead = (secretId: string) => Promise<string | undefined>;

export interface SecretResolverOptions {
  /**
   * Reads Secrets Manager.
   * @default - a `SecretsManagerClient` in the secret's own region (from its ARN) or the process's region
   */
  readonly secretsManager?: SecretsManagerRead;
  /** @default process.env */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** Resolves secret references; each is read once and kept for the life of the process. */
export class SecretResolver {
  private readonly cache = new Map<string, Promise<string>>();
  private readonly read: SecretsManagerRead;
  private readonly env: Readonly<Record<string, string | undefined>>;

  constructor(options: SecretResolverOptions = {}) {
    this.read = options.secretsManager ?? secretsManagerRead();
    this.env = options.env ?? process.env;
  }

  /** The secret's value. Throws `SecretUnavailableError` naming the reference (never the value). */
  resolve(ref: SecretRef): Promise<string> {
    if ('value' in ref) return Promise.resolve(ref.value);
    if ('env' in ref) {
      const value = this.env[ref.env];
      if (!value) return Promise.reject(new SecretUnavailableError(describeSecret(ref), 'the variable is not set'));
      return Promise.resolve(value);
    }
    const key = describeSecret(ref);
    let pending = this.cache.get(key);
    if (!pending) {
      pending = this.fetch(ref);
      // A failed read is tried again on the next call rather than remembered.
      pending.catch(() => this.cache.delete(key));
      this.cache.set(key, pending);
    }
    return pending;
  }

  private async fetch(ref: { secretId: string; jsonKey?: string }): Promise<string> {
    let text: string | undefined;
    try {
      text = await this.read(ref.secretId);
    } catch (error) {
      throw new SecretUnavailableError(describeSecret(ref), (error as Error).name ?? String(error));
    }
    if (!text) throw new SecretUnavailableError(describeSecret(ref), 'it has no SecretString');
    if (ref.jsonKey === undefined) return text;
    try {
      const value = (JSON.parse(text) as Record<string, unknown>)[ref.jsonKey];
      if (typeof value === 'string' && value.length > 0) return value;
    } catch {
      // fall through: not JSON
    }
    throw new SecretUnavailableError(describeSecret(ref), `it is not JSON with a string field "${ref.jsonKey}"`);
  }
}

/** How a reference is named in messages and logs: where it is, never what it holds. */
export function describeSecret(ref: SecretRef): string {
  if ('value' in ref) return 'value:(inline)';
  if ('env' in ref) return `env:${ref.env}`;
  return `secretsmanager:${ref.secretId}${ref.jsonKey ? `#${ref.jsonKey}` : ''}`;
}

function secretsManagerRead(): SecretsManagerRead {
  const clients = new Map<string, SecretsManagerClient>();
  return async (secretId) => {
    // An ARN names its region; a plain name lives in the process's own region.
    const region = /^arn:[^:]+:secretsmanager:([^:]+):/.exec(secretId)?.[1] ?? '';
    let client = clients.get(region);
    if (!client) {
      client = new SecretsManagerClient(region ? { region } : {});
      clients.set(region, client);
    }
    const answer = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
    return answer.SecretString;
  };
}
