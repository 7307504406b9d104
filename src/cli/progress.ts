/** A progress bar on a terminal, plain log lines elsewhere (CI logs stay readable). */
import cliProgress from 'cli-progress';

export interface Progress {
  update(value: number, text: string): void;
  stop(): void;
}

export function progressBar(total: number, label: string): Progress {
  if (!process.stderr.isTTY) {
    let lastLog = 0;
    return {
      update(value, text) {
        const now = Date.now();
        if (now - lastLog > 5000 || value >= total) {
          lastLog = now;
          console.error(`${label} ${value}/${total} ${text}`);
        }
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
    stop: () => bar.stop(),
  };
}
