import { createServer } from 'node:net';

// Shared by the browser tests, the bench runner and the demo check. The Chromium launch flags were verified
// on Debian 12 without a GPU (Chromium 156). Only --enable-unsafe-webgpu is essential there (without it the
// page gets no adapter); the rest keep a headless run quiet and self-contained. --disable-gpu is left out:
// it adds nothing for WebGPU on SwiftShader.
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--enable-unsafe-webgpu',
  '--enable-unsafe-swiftshader',
  '--use-angle=swiftshader',
];

/** A free TCP port on 127.0.0.1 for a page server (WebGPU needs a secure context: localhost, not about:blank). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}
