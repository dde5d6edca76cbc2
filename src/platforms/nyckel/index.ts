export {
  MAX_LISTED_FUNCTIONS,
  NyckelAdapter,
  NYCKEL_LIMITS,
  type NyckelAdapterOptions,
  type NyckelConfig,
  type NyckelInvokeOptions,
} from './client';
export { renewalMarginMs } from './auth';
