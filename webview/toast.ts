// Short messages at the bottom of the panel. Errors are announced at once and stay longer.
import { byId } from './dom';

export type ToastLevel = 'info' | 'error';

export class Toast {
  private readonly element = byId('toast');
  private timer: ReturnType<typeof setTimeout> | undefined;

  show(text: string, level: ToastLevel): void {
    this.element.textContent = text;
    this.element.className = `toast toast-${level}`;
    this.element.hidden = false;
    this.element.setAttribute('role', level === 'error' ? 'alert' : 'status');
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = setTimeout(() => (this.element.hidden = true), level === 'error' ? 6000 : 3000);
  }
}
