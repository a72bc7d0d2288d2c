import { SingleBar } from 'cli-progress';
import type { Operation } from '@netpin/client';
import { progressLine, terminalText } from './format';

export interface ProgressStream {
  write(chunk: string): boolean;
  isTTY?: boolean;
}

/** Shows an operation's progress on stderr: a live bar on a terminal, one line per change otherwise. */
export interface ProgressReporter {
  update(op: Operation): void;
  stop(): void;
}

export function createProgress(stream: ProgressStream, opts: { quiet: boolean; label: string }): ProgressReporter {
  if (opts.quiet) return { update: () => undefined, stop: () => undefined };
  if (!stream.isTTY) {
    return {
      update: (op) => {
        stream.write(`${terminalText(progressLine(op))}\n`);
      },
      stop: () => undefined,
    };
  }
  const bar = new SingleBar({
    stream: stream as unknown as NodeJS.WritableStream,
    format: `${opts.label} [{bar}] {percentage}% | {state} {step}`,
    barsize: 30,
    hideCursor: true,
    clearOnComplete: false,
    stopOnComplete: false,
  });
  let started = false;
  return {
    update(op) {
      const payload = { state: op.state, step: terminalText(op.step ?? '') };
      if (!started) {
        bar.start(100, op.progress, payload);
        started = true;
      } else {
        bar.update(op.progress, payload);
      }
    },
    stop() {
      if (started) bar.stop();
    },
  };
}
