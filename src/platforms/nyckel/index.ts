export {
  MAX_LISTED_FUNCTIONS,
  NyckelAdapter,
  type NyckelAdapterOptions,
  type NyckelConfig,
  type NyckelInvokeOptions,
} from './client';
export { renewalMarginMs } from './auth';
export { NYCKEL, NYCKEL_LIMITS } from './descriptor';
