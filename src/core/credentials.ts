// The kinds of credential field and the checks made before credentials are stored. Which fields a
// platform takes is in its descriptor (src/platforms/<name>/descriptor.ts).

export type CredentialField = 'apiKey' | 'clientId' | 'clientSecret';

export const FIELD_LABELS: Record<CredentialField, string> = {
  apiKey: 'API key',
  clientId: 'client ID',
  clientSecret: 'client secret',
};

/** Returns why a value cannot be a credential, or undefined when its shape is fine. */
export function credentialProblem(field: CredentialField, value: string): string | undefined {
  if (value.length === 0) return `The ${FIELD_LABELS[field]} is empty.`;
  if (/\s/.test(value)) return `The ${FIELD_LABELS[field]} contains whitespace; paste it without spaces or line breaks.`;
  if (value.length > 4096) return `The ${FIELD_LABELS[field]} is longer than 4096 characters.`;
  return undefined;
}

/** Checks that `credentials` hold the `fields` a platform needs, each well formed. */
export function credentialsProblem(fields: readonly CredentialField[], credentials: unknown): string | undefined {
  if (typeof credentials !== 'object' || credentials === null) return 'Credentials must be an object.';
  const record = credentials as Record<string, unknown>;
  for (const field of fields) {
    const value = record[field];
    if (typeof value !== 'string') return `The ${FIELD_LABELS[field]} is missing.`;
    const problem = credentialProblem(field, value);
    if (problem) return problem;
  }
  return undefined;
}
