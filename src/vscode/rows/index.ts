export { RowCommands } from './rowCommands';
export { RowFiles, type RunFileRequest, type RunFileResult } from './rowFiles';
export { ManifestStore, type RunManifest } from '../../core/rowFiles/manifest';
