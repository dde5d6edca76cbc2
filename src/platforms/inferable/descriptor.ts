// What the UI knows about Inferable.
import { PLATFORM_IDENTITIES } from '../../core/model';
import type { PlatformDescriptor } from '../types';

export const INFERABLE: PlatformDescriptor = {
  id: 'inferable',
  displayName: PLATFORM_IDENTITIES.inferable.name,
  words: { function: 'function', credentials: 'API key', input: 'message' },
  credentialFields: [{ field: 'apiKey', label: 'API key', secret: true }],
  functions: { listed: true, platformChooses: true },
  inputPlaceholder: 'What should Inferable do?',
  runOptions: [
    {
      key: 'resultSchema',
      label: 'Result schema (JSON Schema)',
      type: 'json',
      shape: 'jsonSchema',
      placeholder: '{"type": "object", "properties": {"answer": {"type": "string"}}}',
      help: 'A JSON Schema the run’s result must follow.',
    },
  ],
  limits: {},
};
