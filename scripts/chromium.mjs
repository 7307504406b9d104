// The Chromium launch flags shared by the browser tests, the bench runner and the demo check, verified on
// Debian 12 without a GPU (Chromium 156). Only --enable-unsafe-webgpu is essential there (without it the
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
