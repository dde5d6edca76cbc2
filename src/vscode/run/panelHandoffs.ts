// Classify Selection hands its answers to the run panel through the "Open in Run Panel" link of its
// hover. The link carries an id this store made, never the result itself: anyone can write a
// command link, so a result taken from one could put any text in the panel as a platform's answer.
import type { PlatformId, RunResult } from '../../core/model';

export interface Handoff {
  platform: PlatformId;
  function: string;
  input: string;
  result: RunResult;
}

/** Enough for every answer still on screen; the oldest are forgotten first. */
const MAX_HANDOFFS = 500;

export class PanelHandoffs {
  private readonly items = new Map<string, Handoff>();
  private sequence = 0;

  add(handoff: Handoff): string {
    const id = `h${++this.sequence}`;
    this.items.set(id, handoff);
    if (this.items.size > MAX_HANDOFFS) this.items.delete(this.items.keys().next().value as string);
    return id;
  }

  get(id: string): Handoff | undefined {
    return this.items.get(id);
  }
}
