/** A progress bar on a terminal, plain log lines elsewhere (CI logs stay readable). */
import cliProgress from 'cli-progress';

export interface Progress {
  update(value: number, text: string): void;
  /** Start over at 0 of a new total (the next stage of a run). */
  restart(total: number): void;
  stop(): void;
}

export function progressBar(total: number, label: string): Progress {
  if (!process.stderr.isTTY) {
    let lastLog = 0;
    let lastValue = -1;
    return {
      update(value, text) {
        const now = Date.now();
        // Every completed unit (an epoch) is logged; in between, at most one line per 5 s.
        if (now - lastLog > 5000 || value !== lastValue) {
          lastLog = now;
          lastValue = value;
          console.error(`${label} ${value}/${total} ${text}`);
        }
      },
      restart(newTotal) {
        total = newTotal;
        lastValue = -1;
      },
      stop() {},
    };
  }
  const bar = new cliProgress.SingleBar(
    { format: `${label} [{bar}] {value}/{total} {text}`, stream: process.stderr, hideCursor: true },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0, { text: '' });
  return {
    update: (value, text) => bar.update(value, { text }),
    restart: (newTotal) => {
      bar.setTotal(newTotal);
      bar.update(0, { text: '' });
    },
    stop: () => bar.stop(),
  };
}
