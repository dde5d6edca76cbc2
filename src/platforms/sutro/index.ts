// Sutro: real-time Function runs and batch jobs.
export { SutroAdapter, isDeployment, jobsPageSize, MAX_JOBS_PAGE_SIZE } from './client';
export type { SutroAdapterOptions, SutroConfig, SutroFunctionConfig, SutroJobStatus } from './client';
export { normalizeStatus } from './mapping';
export { SUTRO } from './descriptor';
