/** The run panel's webview type (also its `onWebviewPanel:` activation event). */
export const VIEW_TYPE = 'aiFunctions.runPanel';
