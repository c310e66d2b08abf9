import { ArnFormat, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import type { ExternalZoneInput } from '../providers/config';

/**
 * The Secrets Manager IDs the external zones name (IBM API keys, DigitalOcean and endpoint secrets).
 */
export function endpointSecretIds(endpoints: readonly ExternalZoneInput[]): string[] {
  const ids = new Set<string>();
  for (const zone of endpoints) {
    const ref = zone.auth.type === 'ibm-iam' ? zone.auth.apiKey : zone.auth.secret;
    if ('secretId' in ref) ids.add(ref.secretId);
  }
  return [...ids].sort();
}

/** Why the `-??????` of a secret's ARN is acknowledged as a wildcard. */
export const SECRET_SUFFIX_REASON =
  "Secrets Manager ends a secret's ARN with a hyphen and six random characters: -?????? after the secret's name " +
  'matches that secret alone.';

/**
 * Lets a function read exactly the secrets the external zones name, nothing else: each by its ARN (a name
 * becomes the home region's ARN; Secrets Manager appends six random characters to a secret's ARN, hence
 * `-??????`). Undefined when no zone names a secret in Secrets Manager.
 */
export function endpointSecretsStatement(
  scope: Construct,
  endpoints: readonly ExternalZoneInput[],
): iam.PolicyStatement | undefined {
  const ids = endpointSecretIds(endpoints);
  if (ids.length === 0) return undefined;
  const stack = Stack.of(scope);
  const resources = ids.flatMap((id) =>
    id.startsWith('arn:')
      ? [id, `${id}-??????`]
      : [
          stack.formatArn({
            service: 'secretsmanager',
            resource: 'secret',
            resourceName: `${id}-??????`,
            arnFormat: ArnFormat.COLON_RESOURCE_NAME,
          }),
        ],
  );
  return new iam.PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources });
}
