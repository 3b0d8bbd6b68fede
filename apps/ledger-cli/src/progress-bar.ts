import { CliIo } from './cli-command';

/** A progress bar on stderr, drawn only when stderr is a terminal so that logs and pipes stay clean. */
export function progressBar(io: CliIo, enabled: boolean, label: string, total: number) {
  const tty = enabled && !!io.stderr.isTTY;
  let last = 0;
  const draw = (n: number) => {
    const width = 30;
    const frac = total > 0 ? Math.min(1, n / total) : 0;
    const filled = Math.round(frac * width);
    const pct = total > 0 ? `${Math.floor(frac * 100)}%`.padStart(4) : '';
    io.stderr.write(`\r${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${pct} ${n}${total > 0 ? `/${total}` : ''} events`);
  };
  return {
    update(n: number) {
      if (!tty) return;
      const now = Date.now();
      if (now - last < 100) return;
      last = now;
      draw(n);
    },
    done() {
      if (tty) io.stderr.write('\n');
    },
  };
}
