export { WALKTHROUGH_ID, WALKTHROUGH_SHOWN_KEY, shouldOpenWalkthrough, walkthroughRef } from './firstRun';
export { SAMPLE_TEXT, Welcome } from './welcome';
