// What the UI knows about Sutro.
import { PLATFORM_IDENTITIES } from '../../core/model';
import type { PlatformDescriptor } from '../types';
import { API_SETTING, API_URL_SETTING } from './endpoints';

export const SUTRO: PlatformDescriptor = {
  id: 'sutro',
  displayName: PLATFORM_IDENTITIES.sutro.name,
  words: { function: 'Function', credentials: 'API key', input: 'input' },
  credentialFields: [{ field: 'apiKey', label: 'API key', secret: true }],
  // Sutro has no endpoint that lists Functions: the user names them in aiFunctions.sutro.functions.
  functions: { listed: false, inputFields: true },
  inputPlaceholder: 'Text to classify or extract from',
  runOptions: [],
  limits: {},
  // Each deployment issues its own keys: the key is bound to the deployment it was set for.
  keyEndpoint: {
    setting: API_URL_SETTING,
    affectedBy: [API_URL_SETTING, API_SETTING],
    label: 'deployment URL',
    prompt: "Your Sutro deployment's URL (its origin, or the origin followed by /v1). Keys are issued by, and only sent to, this deployment.",
    placeholder: 'https://<your-deployment>',
  },
};
