// Whether activation opens the Get Started walkthrough: once per installation (a globalState flag),
// never in the tests' extension host or a development copy, never for someone who already set a key (an update, not a new
// user), and not when the user turned off VS Code's own "open walkthroughs on install".
// No `vscode` import, so the unit tests run it against a fake Memento.

/** The walkthrough's id in package.json (`contributes.walkthroughs`). */
export const WALKTHROUGH_ID = 'aiFunctions.getStarted';
/** The globalState key that says the walkthrough was offered once. */
export const WALKTHROUGH_SHOWN_KEY = 'aiFunctions.walkthroughShown';

/** What `workbench.action.openWalkthrough` takes: `<publisher>.<name>#<walkthrough id>`. */
export function walkthroughRef(extensionId: string): string {
  return `${extensionId}#${WALKTHROUGH_ID}`;
}

/** The part of a vscode.Memento this needs. */
export interface FlagStore {
  get<T>(key: string): T | undefined;
  update(key: string, value: unknown): Thenable<void>;
}

export interface FirstRunFacts {
  /** The extension is not an installed copy: the tests' host, or loaded for development (F5, `npm start`). */
  testMode: boolean;
  /** `workbench.welcomePage.walkthroughs.openOnInstall` (default true). */
  openOnInstall: boolean;
  /** Whether any platform has a key; read only when the answer depends on it. */
  hasAnyKey: () => Promise<boolean>;
}

/**
 * True the first time only: the flag is set whatever the answer (a user who already has a key, or
 * turned walkthroughs off, is not asked again later), except in test mode, which leaves it alone.
 */
export async function shouldOpenWalkthrough(state: FlagStore, facts: FirstRunFacts): Promise<boolean> {
  if (facts.testMode) return false;
  if (state.get<boolean>(WALKTHROUGH_SHOWN_KEY) === true) return false;
  await state.update(WALKTHROUGH_SHOWN_KEY, true);
  if (!facts.openOnInstall) return false;
  return !(await facts.hasAnyKey());
}
