// The run panel's browser code. Filled in by the run panel work; kept as a real entry so the
// two-bundle build is exercised from the start.
const vscodeApi = acquireVsCodeApi();
vscodeApi.postMessage({ type: 'ready' });
