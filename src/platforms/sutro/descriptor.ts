// What the UI knows about Sutro.
import type { PlatformDescriptor } from '../types';

export const SUTRO: PlatformDescriptor = {
  id: 'sutro',
  displayName: 'Sutro',
  words: { function: 'Function', credentials: 'API key', input: 'input' },
  credentialFields: [{ field: 'apiKey', label: 'API key', secret: true }],
  // Sutro has no endpoint that lists Functions: the user names them in aiFunctions.sutro.functions.
  functions: { listed: false, inputFields: true },
  inputPlaceholder: 'Text to classify or extract from',
  runOptions: [],
  limits: {},
};
