export { JobCommands, savedJobFilter } from './jobCommands';
export { JobsAutoRefresh, notifyFinished } from './jobsAutoRefresh';
export { JobsTreeProvider, type JobsNode } from './jobsTree';
