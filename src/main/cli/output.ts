// Output helpers shared by commands: JSON lines with --json, human text (and a live line on a TTY) otherwise.

export interface Output {
  json: boolean;
  /** A final result: pretty text, or one JSON document. */
  result(value: unknown, text: string): void;
  /** A progress line: rewritten in place on a TTY, JSON event with --json, one line per call otherwise. */
  progress(event: Record<string, unknown>, text: string): void;
  /** A notable event worth its own line (epoch finished, checkpoint written). */
  event(event: Record<string, unknown>, text: string): void;
}

export function output(json: boolean, stream: NodeJS.WriteStream = process.stdout): Output {
  const tty = !json && stream.isTTY === true;
  let live = false;
  const clear = () => {
    if (live) {
      stream.write('\r\x1b[2K');
      live = false;
    }
  };
  return {
    json,
    result(value, text) {
      clear();
      stream.write(json ? JSON.stringify(value) + '\n' : text + '\n');
    },
    progress(event, text) {
      if (json) stream.write(JSON.stringify(event) + '\n');
      else if (tty) {
        stream.write('\r\x1b[2K' + text);
        live = true;
      }
    },
    event(event, text) {
      clear();
      stream.write(json ? JSON.stringify(event) + '\n' : text + '\n');
    },
  };
}

export function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return '?';
  if (s < 60) return `${s.toFixed(0)}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(Math.round(s % 60)).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

/** A text progress bar of `width` cells. */
export function bar(fraction: number, width = 24): string {
  const f = Math.max(0, Math.min(1, fraction));
  const full = Math.round(f * width);
  return '[' + '#'.repeat(full) + '.'.repeat(width - full) + ']';
}
