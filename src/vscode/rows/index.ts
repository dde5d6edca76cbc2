export { LazyRows } from './lazyRows';
export type { RowsDeps, RowsFeature } from './rowsFeature';
export type { RowFiles, RunFileRequest, RunFileResult } from './rowFiles';
export type { ManifestStore, RunManifest } from '../../core/rowFiles/manifest';
