/**
 * Device acquisition: `navigator.gpu` in a browser, the `webgpu` package (Dawn) in Node. Everything above
 * this file sees one GPUDevice and does not know which platform it came from.
 */
import { AdapterUnavailableError } from './errors.ts';

/** Where Debian's and Google's Chromium builds keep SwiftShader's Vulkan driver manifest. */
const SWIFTSHADER_MANIFESTS = [
  '/usr/lib/chromium/vk_swiftshader_icd.json',
  '/usr/lib/chromium-browser/vk_swiftshader_icd.json',
  '/opt/google/chrome/vk_swiftshader_icd.json',
  '/snap/chromium/current/usr/lib/chromium-browser/vk_swiftshader_icd.json',
];

const INSTALL_HINT =
  'On Debian/Ubuntu run `apt-get install -y chromium libvulkan1` (Chromium ships SwiftShader, a CPU WebGPU ' +
  'driver) or install a Vulkan driver for your GPU; in a browser use Chrome/Edge 113+ or enable WebGPU.';

/** How to choose the adapter. */
export interface AdapterOptions {
  /**
   * `'swiftshader'` forces the CPU driver, `'hardware'` refuses it, any other string must appear in the
   * adapter's vendor, architecture, device or description. Defaults to the `BLINDSPOT_ADAPTER`
   * environment variable in Node, else the first adapter offered (with a SwiftShader fallback in Node).
   */
  adapter?: string;
  powerPreference?: GPUPowerPreference;
}

/** A device together with what we learnt about where it runs. */
export interface AcquiredDevice {
  device: GPUDevice;
  adapter: GPUAdapter;
  info: AdapterDescription;
  /** How the adapter was found, for `blindspot info` and benchmark reports. */
  notes: string[];
}

/** The adapter's identity as plain data (GPUAdapterInfo's fields are getters that do not survive JSON). */
export interface AdapterDescription {
  platform: 'browser' | 'node';
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  isSwiftShader: boolean;
  isFallbackAdapter: boolean;
  features: string[];
  limits: Record<string, number>;
}

/** Limits we ask for: the adapter's own maxima rather than WebGPU's conservative defaults. */
const LIMITS_WE_USE = [
  'maxStorageBufferBindingSize',
  'maxBufferSize',
  'maxComputeWorkgroupStorageSize',
  'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupSizeX',
  'maxComputeWorkgroupSizeY',
  'maxComputeWorkgroupSizeZ',
  'maxComputeWorkgroupsPerDimension',
  'maxStorageBuffersPerShaderStage',
] as const;

/**
 * Features that help and are requested when offered: timestamps for profiles (src/gpu/profiler.ts), and
 * subgroup operations for the matmul variant that shares loads across a subgroup (matmul_subgroup.wgsl).
 */
const FEATURES_WE_USE: GPUFeatureName[] = ['timestamp-query', 'subgroups'];

export function describeAdapter(adapter: GPUAdapter, platform: 'browser' | 'node'): AdapterDescription {
  const info = adapter.info;
  const limits: Record<string, number> = {};
  for (const key of LIMITS_WE_USE) limits[key] = Number(adapter.limits[key]);
  const text = `${info.vendor} ${info.architecture} ${info.device} ${info.description}`.toLowerCase();
  return {
    platform,
    vendor: info.vendor,
    architecture: info.architecture,
    device: info.device,
    description: info.description,
    isSwiftShader: text.includes('swiftshader'),
    isFallbackAdapter: Boolean((info as { isFallbackAdapter?: boolean }).isFallbackAdapter),
    features: [...adapter.features].map(String).sort(),
    limits,
  };
}

function matchesChoice(description: AdapterDescription, choice: string | undefined): boolean {
  if (!choice) return true;
  const wanted = choice.toLowerCase();
  if (wanted === 'swiftshader') return description.isSwiftShader;
  if (wanted === 'hardware') return !description.isSwiftShader && !description.isFallbackAdapter;
  const text = `${description.vendor} ${description.architecture} ${description.device} ${description.description}`;
  return text.toLowerCase().includes(wanted);
}

async function requestDevice(adapter: GPUAdapter): Promise<GPUDevice> {
  const requiredLimits: Record<string, number> = {};
  for (const key of LIMITS_WE_USE) requiredLimits[key] = Number(adapter.limits[key]);
  const requiredFeatures = FEATURES_WE_USE.filter((f) => adapter.features.has(f));
  return adapter.requestDevice({ requiredLimits, requiredFeatures, label: 'blindspot' });
}

function isNode(): boolean {
  return typeof process !== 'undefined' && typeof process.versions?.node === 'string';
}

/**
 * Acquire a WebGPU device. Throws {@link AdapterUnavailableError} with install advice when there is none.
 */
export async function acquireDevice(options: AdapterOptions = {}): Promise<AcquiredDevice> {
  const nav = (globalThis as { navigator?: { gpu?: GPU } }).navigator;
  if (nav?.gpu && !isNode()) return acquireInBrowser(nav.gpu, options);
  if (isNode()) return acquireInNode(options);
  throw new AdapterUnavailableError(
    'WebGPU is not available: navigator.gpu is undefined (it needs a secure context such as https:// or ' +
      `http://localhost). ${INSTALL_HINT}`,
  );
}

async function acquireInBrowser(gpu: GPU, options: AdapterOptions): Promise<AcquiredDevice> {
  const adapter = await gpu.requestAdapter({ powerPreference: options.powerPreference });
  if (!adapter) throw new AdapterUnavailableError(`navigator.gpu offered no adapter. ${INSTALL_HINT}`);
  const info = describeAdapter(adapter, 'browser');
  if (!matchesChoice(info, options.adapter)) {
    throw new AdapterUnavailableError(
      `the browser's adapter (${info.vendor} ${info.architecture} ${info.description}) does not match '${options.adapter}'`,
    );
  }
  return { device: await requestDevice(adapter), adapter, info, notes: ['navigator.gpu'] };
}

interface DawnModule {
  create(flags: string[]): GPU;
  globals: Record<string, unknown>;
}

async function acquireInNode(options: AdapterOptions): Promise<AcquiredDevice> {
  const choice = options.adapter ?? process.env.BLINDSPOT_ADAPTER ?? undefined;
  const notes: string[] = [];
  // A computed specifier keeps bundlers from pulling the native Dawn addon into browser builds.
  const dawnName = 'webgpu';
  let dawn: DawnModule;
  try {
    dawn = (await import(/* @vite-ignore */ dawnName)) as DawnModule;
  } catch (error) {
    throw new AdapterUnavailableError(
      `the 'webgpu' package (Dawn for Node) could not be loaded: ${(error as Error).message}. Run npm install.`,
    );
  }
  // Dawn's Node binding expects WebGPU's constant objects (GPUBufferUsage, ...) as globals.
  for (const [key, value] of Object.entries(dawn.globals)) {
    if (!(key in globalThis)) (globalThis as Record<string, unknown>)[key] = value;
  }
  const wantSwiftShader = choice?.toLowerCase() === 'swiftshader';
  if (!wantSwiftShader) {
    const adapter = await firstMatchingAdapter(dawn, options, choice);
    if (adapter) {
      notes.push(`Dawn found adapter ${adapter.info.description || adapter.info.vendor}`);
      return { device: await requestDevice(adapter.raw), adapter: adapter.raw, info: adapter.info, notes };
    }
    if (choice?.toLowerCase() === 'hardware' || (choice && choice.toLowerCase() !== 'swiftshader')) {
      throw new AdapterUnavailableError(`no WebGPU adapter matches BLINDSPOT_ADAPTER/adapter '${choice}'. ${INSTALL_HINT}`);
    }
    notes.push('no hardware WebGPU adapter; falling back to SwiftShader (CPU)');
  }
  const manifest = await findSwiftShaderManifest();
  if (!manifest) {
    throw new AdapterUnavailableError(
      `no WebGPU adapter found and no SwiftShader driver in ${SWIFTSHADER_MANIFESTS.join(', ')}. ${INSTALL_HINT}`,
    );
  }
  // The Vulkan loader reads this when Dawn creates its instance, so it must be set before create().
  process.env.VK_ICD_FILENAMES = manifest;
  const adapter = await firstMatchingAdapter(dawn, options, 'swiftshader');
  if (!adapter) {
    throw new AdapterUnavailableError(
      `SwiftShader's driver (${manifest}) did not give an adapter; is libvulkan.so.1 installed? ${INSTALL_HINT}`,
    );
  }
  notes.push(`SwiftShader via ${manifest}`);
  return { device: await requestDevice(adapter.raw), adapter: adapter.raw, info: adapter.info, notes };
}

/**
 * Dawn instances by the Vulkan driver manifest they were created under. Each one lives as long as the
 * process, as navigator.gpu does in a page. With an instance per engine, left to the garbage collector
 * after dispose, Dawn aborted the process ("std::system_error: Invalid argument") or hung it in
 * InstanceBase::ProcessEvents: 10 of 31 runs of test/gpu/shaderSources.test.ts, which creates and
 * disposes six engines beside a live one; none in 42 runs since.
 */
const dawnInstances = new Map<string, GPU>();

/**
 * Dawn toggles for Node. Dawn rounds GPU timestamps to multiples of 65 536 ns by default (a browser's
 * defence against timing attacks), which makes per-kernel profiles useless for short kernels; a process
 * of our own needs no such defence. Tried on SwiftShader (GPU time, interleaved, docs/benchmarks.md) and
 * not kept: disable_robustness (1.6–1.8× on the blocked matmul, 1.25× on conv, nothing on the subgroup
 * matmul, which loads 4× less; it drops the bounds checks of every buffer access, so a kernel bug could
 * read or write outside its buffers: unsafe), enable_integer_range_analysis_in_robustness,
 * vulkan_use_buffer_robust_access_2 on or off, skip_validation and disable_workgroup_init (no change
 * beyond the noise).
 */
const DAWN_FLAGS = ['disable-dawn-features=timestamp_quantization'];

function dawnInstance(dawn: DawnModule): GPU {
  // VK_ICD_FILENAMES is read when an instance is created, so instances made under another value differ.
  const drivers = process.env.VK_ICD_FILENAMES ?? '';
  let gpu = dawnInstances.get(drivers);
  if (!gpu) {
    gpu = dawn.create(DAWN_FLAGS);
    dawnInstances.set(drivers, gpu);
  }
  return gpu;
}

async function firstMatchingAdapter(
  dawn: DawnModule,
  options: AdapterOptions,
  choice: string | undefined,
): Promise<{ raw: GPUAdapter; info: AdapterDescription } | null> {
  const gpu = dawnInstance(dawn);
  const preferences: (GPUPowerPreference | undefined)[] = options.powerPreference
    ? [options.powerPreference]
    : ['high-performance', 'low-power'];
  for (const powerPreference of preferences) {
    const raw = await gpu.requestAdapter({ powerPreference });
    if (!raw) continue;
    const info = describeAdapter(raw, 'node');
    if (matchesChoice(info, choice)) return { raw, info };
  }
  return null;
}

async function findSwiftShaderManifest(): Promise<string | null> {
  const fsName = 'node:fs';
  const fs = (await import(/* @vite-ignore */ fsName)) as typeof import('node:fs');
  return SWIFTSHADER_MANIFESTS.find((path) => fs.existsSync(path)) ?? null;
}
