export { PublicApi } from './publicApi';
