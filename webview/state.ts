// The panel's state in the browser. `state` survives a reload: it is saved with vscode.setState,
// which is also what the serializer hands back after a restart. The rest is what the host sent;
// the host sends it again with every `init`, so it is not saved.
import type { WebviewApi } from 'vscode-webview';
import {
  emptyDraft,
  panelStateSchema,
  type DraftForm,
  type PanelDescriptor,
  type PanelFunction,
  type PanelState,
  type PlatformEntry,
  type PlatformId,
  type RecentRunSummary,
} from '../src/shared/panelProtocol';

export interface RunningRun {
  runId: string;
  platform: PlatformId;
  function: string;
  startedAt: number;
}

export class PanelStore {
  state: PanelState;
  platforms: PlatformEntry[] = [];
  recentRuns: RecentRunSummary[] = [];
  running: RunningRun | undefined;
  /** The editor "Insert into editor" writes to, e.g. `notes.md:12`. */
  insertTarget: string | null = null;
  private initialized = false;

  constructor(private readonly storage: Pick<WebviewApi<PanelState>, 'getState' | 'setState'>) {
    const parsed = panelStateSchema.safeParse(storage.getState());
    this.state = parsed.success ? parsed.data : { version: 1, form: emptyDraft(), optionsOpen: false };
  }

  get form(): DraftForm {
    return this.state.form;
  }

  save(): void {
    this.storage.setState(this.state);
  }

  /** The serializer's copy of the state (from `init`). Our own saved state wins; the copy is for a webview that lost it. */
  adoptRestored(restored: PanelState | undefined): void {
    if (!this.initialized && this.storage.getState() === undefined && restored) this.state = restored;
    this.initialized = true;
  }

  /** The run in progress, or none. The host repeats a run after a reload: it keeps its start time. */
  setRunning(run: Omit<RunningRun, 'startedAt'> | undefined): void {
    this.running = run && { ...run, startedAt: this.running?.runId === run.runId ? this.running.startedAt : Date.now() };
  }

  entry(platform: PlatformId | undefined): PlatformEntry | undefined {
    return platform ? this.platforms.find((p) => p.platform === platform) : undefined;
  }

  /** The host's list of platforms, each with its descriptor (kept in `state` for the next reload's first paint). */
  setPlatforms(platforms: PlatformEntry[]): void {
    this.platforms = platforms;
    this.state.descriptors = platforms.map(({ platform, descriptor }) => ({ platform, descriptor }));
  }

  /** What the platform says of itself; before the host's `init`, what it said before the reload. */
  descriptor(platform: PlatformId | undefined = this.form.platform): PanelDescriptor | undefined {
    if (!platform) return undefined;
    return this.entry(platform)?.descriptor ?? this.state.descriptors?.find((d) => d.platform === platform)?.descriptor;
  }

  /** "Sutro". */
  platformName(platform: PlatformId): string {
    return this.descriptor(platform)?.displayName ?? platform;
  }

  hasKey(platform: PlatformId | undefined = this.form.platform): boolean {
    return this.entry(platform)?.hasKey === true;
  }

  selectedFunction(): PanelFunction | undefined {
    const { platform, function: id } = this.form;
    if (id === undefined) return undefined;
    return this.entry(platform)?.functions.find((fn) => fn.id === id);
  }

  /** The function's input fields, on a platform whose functions declare them; for a function not listed (yet), the fields the form has. */
  inputFields(): string[] {
    if (!this.descriptor()?.functions.inputFields) return [];
    const fn = this.selectedFunction();
    return fn ? (fn.inputFields ?? []) : Object.keys(this.form.fields);
  }

  functionLabel(platform: PlatformId | undefined, id: string | undefined): string {
    if (platform && id === '' && this.descriptor(platform)?.functions.platformChooses) return `${this.platformName(platform)}'s choice`;
    if (id === undefined) return 'a function';
    return this.entry(platform)?.functions.find((fn) => fn.id === id)?.name ?? id;
  }

  /** Picks a platform and function when none is chosen (the last run's, else the first with a key). */
  ensureSelection(): void {
    const form = this.form;
    if (!form.platform) {
      const last = this.recentRuns.find((run) => this.hasKey(run.platform));
      const withKey = this.platforms.find((p) => p.hasKey);
      if (last) {
        form.platform = last.platform;
        form.function ??= last.function;
      } else if (withKey) {
        form.platform = withKey.platform;
      } else if (this.platforms[0]) {
        form.platform = this.platforms[0].platform;
      }
    }
    if (form.platform && form.function === undefined) {
      const entry = this.entry(form.platform);
      if (this.descriptor(form.platform)?.functions.platformChooses) form.function = '';
      else if (entry?.functions[0]) form.function = entry.functions[0].id;
    }
  }
}
