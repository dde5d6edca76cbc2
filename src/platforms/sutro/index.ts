// Sutro: real-time Function runs and batch jobs, on the user's deployment or the older shared API.
export { SutroAdapter, jobsPageSize, MAX_JOBS_PAGE_SIZE } from './client';
export type { BoundCredentials, SutroAdapterOptions, SutroConfig, SutroFunctionConfig, SutroJobStatus } from './client';
export { LazySutroAdapter } from './lazy';
export { deploymentUrlProblem, isRetiredSutroHost, normalizeDeploymentUrl, resolveEndpoints, SHARED_API_URL, SHARED_FUNCTIONS_URL } from './endpoints';
export type { SutroApi, SutroEndpoints } from './endpoints';
export { normalizeStatus } from './mapping';
export { SUTRO } from './descriptor';
