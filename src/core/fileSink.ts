// Where HttpClient writes a reply's body when the request asks for a file (HttpRequest.saveTo):
// the bytes go to disk as they arrive, with backpressure, and never sit in memory together.
import { createWriteStream, type WriteStream } from 'node:fs';

/** The part of undici's DispatchController that pauses and resumes a body. */
export interface FlowControl {
  pause(): void;
  resume(): void;
}

export class FileSink {
  private readonly stream: WriteStream;
  private failure: Error | undefined;

  /** Opens (truncates) `path`, readable by the user only; `onError` hears a failed write at once. */
  constructor(path: string, onError: (error: Error) => void) {
    this.stream = createWriteStream(path, { flags: 'w', mode: 0o600 });
    this.stream.on('error', (error) => {
      this.failure ??= error;
      onError(error);
    });
  }

  /** Writes a chunk; pauses the body until the file has taken what is buffered. */
  write(chunk: Buffer, flow: FlowControl): void {
    if (!this.stream.write(chunk)) {
      flow.pause();
      this.stream.once('drain', () => flow.resume());
    }
  }

  /** Resolves once every byte is on disk and the file is closed. */
  close(): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.failure) {
        reject(this.failure);
        return;
      }
      this.stream.once('error', reject);
      this.stream.end(() => (this.failure ? reject(this.failure) : resolve()));
    });
  }

  /** Stops writing (a failed or cancelled download); the caller removes the file. */
  destroy(): void {
    this.stream.destroy();
  }
}
