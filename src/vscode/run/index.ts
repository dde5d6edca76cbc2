export { PanelHandoffs, type Handoff } from './panelHandoffs';
export { RecentFunctions } from './recentFunctions';
export { RunService, type DecisionSent } from './runService';
