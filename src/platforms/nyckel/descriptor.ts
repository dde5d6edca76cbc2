// What the UI knows about Nyckel.
import { PLATFORM_IDENTITIES } from '../../core/model';
import type { PlatformDescriptor } from '../types';

/** Nyckel's documented limits: 25 requests a second, 25 in flight. */
export const NYCKEL_LIMITS = { maxInFlight: 25, maxPerSecond: 25 } as const;

/**
 * Statuses Nyckel's docs ask clients to retry with backoff, beyond the 502/503/504 every
 * idempotent request is sent again after (its SDK retries 500/502/503/504). Only its idempotent
 * requests (invoke, reads, the token) are sent again: see HttpRequest.retryStatuses.
 */
export const NYCKEL_RETRY_STATUSES: readonly number[] = [500];

export const NYCKEL: PlatformDescriptor = {
  id: 'nyckel',
  displayName: PLATFORM_IDENTITIES.nyckel.name,
  words: { function: 'function', credentials: 'client credentials', input: 'input' },
  credentialFields: [
    { field: 'clientId', label: 'client ID', secret: false },
    { field: 'clientSecret', label: 'client secret', secret: true },
  ],
  functions: { listed: true },
  inputPlaceholder: 'Text to classify or extract from',
  runOptions: [
    { key: 'labelCount', label: 'Label count', type: 'integer', min: 1, max: 1000, placeholder: 'all', help: 'How many labels to return, best first.' },
    { key: 'modelId', label: 'Model ID', type: 'text', placeholder: 'latest', help: 'Invoke a specific trained model instead of the latest one.' },
    { key: 'externalId', label: 'External ID', type: 'text', placeholder: 'none', help: 'Your id for this sample; Nyckel keeps it with the captured sample.' },
    { key: 'includeMetadata', label: 'Include label metadata', type: 'boolean', default: false, help: 'Return each label’s metadata too.' },
    { key: 'capture', label: 'Capture as a sample', type: 'boolean', default: true, help: 'Nyckel keeps invoked samples to improve the function unless told not to.' },
    {
      key: 'metadata',
      label: 'Metadata (JSON object of strings)',
      type: 'json',
      shape: 'stringRecord',
      placeholder: '{"source": "vscode"}',
      help: 'Stored with the captured sample.',
    },
  ],
  // Nyckel returns only the top label unless asked for more.
  allPredictions: { labelCount: 20 },
  limits: { maxInFlight: NYCKEL_LIMITS.maxInFlight },
};
