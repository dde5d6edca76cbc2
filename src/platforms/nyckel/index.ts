export {
  MAX_LISTED_FUNCTIONS,
  NyckelAdapter,
  type NyckelAdapterOptions,
  type NyckelConfig,
} from './client';
export { renewalMarginMs } from './auth';
export { NYCKEL, NYCKEL_LIMITS } from './descriptor';
export { LazyNyckelAdapter } from './lazy';
