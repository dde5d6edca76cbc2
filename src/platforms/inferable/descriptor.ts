// What the UI knows about Inferable.
import type { PlatformDescriptor } from '../types';

export const INFERABLE: PlatformDescriptor = {
  id: 'inferable',
  displayName: 'Inferable',
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
