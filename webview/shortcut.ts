/** The Run shortcut as this platform writes it (the key handler accepts either modifier). */
export const RUN_SHORTCUT = /Mac|iPhone|iPad/.test(navigator.platform || navigator.userAgent) ? '⌘Enter' : 'Ctrl+Enter';
