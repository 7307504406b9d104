#!/usr/bin/env node
/**
 * One command from a fresh checkout to a working project: the system packages WebGPU needs (Debian's
 * Chromium, which carries SwiftShader, a CPU Vulkan driver, and the Vulkan loader), the npm dependencies,
 * and the build. It runs before `npm install`, so it uses node: builtins only. Each step is skipped when
 * already done, so running it again is quick.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HELP = `Usage: npm run setup   (or: node scripts/setup.mjs [--help])

Prepares this checkout for \`npm test\`:
  1. WebGPU: checks for a Vulkan driver Dawn can use in Node (SwiftShader from Debian's chromium
     package, or a GPU's own driver) with the Vulkan loader libvulkan.so.1, and for /usr/bin/chromium
     (the browser tests). If anything is missing it runs, as root,
       apt-get update && apt-get install -y chromium libvulkan1
     and otherwise prints that command and stops.
  2. npm ci (npm install when there is no package-lock.json), skipped when node_modules already
     matches the lockfile.
  3. npm run build, when package.json has a build script whose config file exists.

Environment: CHROMIUM_PATH names another Chromium for the browser tests (default /usr/bin/chromium).`;

const repo = fileURLToPath(new URL('..', import.meta.url));
const APT_PACKAGES = ['chromium', 'libvulkan1'];
const APT_COMMAND = `apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y ${APT_PACKAGES.join(' ')}`;

// The same places src/gpu/device.ts looks for SwiftShader's driver manifest.
const SWIFTSHADER_MANIFESTS = [
  '/usr/lib/chromium/vk_swiftshader_icd.json',
  '/usr/lib/chromium-browser/vk_swiftshader_icd.json',
  '/opt/google/chrome/vk_swiftshader_icd.json',
  '/snap/chromium/current/usr/lib/chromium-browser/vk_swiftshader_icd.json',
];
const ICD_DIRECTORIES = ['/usr/share/vulkan/icd.d', '/etc/vulkan/icd.d', '/usr/local/share/vulkan/icd.d'];
const LIBVULKAN_FALLBACK_PATHS = [
  '/usr/lib/x86_64-linux-gnu/libvulkan.so.1',
  '/usr/lib/aarch64-linux-gnu/libvulkan.so.1',
  '/usr/lib64/libvulkan.so.1',
  '/usr/lib/libvulkan.so.1',
];

class SetupError extends Error {}

function say(message) {
  console.log(`setup: ${message}`);
}

/** Run a command with its output on the terminal (apt and npm show their own progress). */
function run(command, args, options = {}) {
  say(`$ ${[command, ...args].join(' ')}`);
  const result = spawnSync(command, args, { stdio: 'inherit', cwd: repo, ...options });
  if (result.error) throw new SetupError(`could not run ${command}: ${result.error.message}`);
  return result.status ?? 1;
}

function onPath(command) {
  return (process.env.PATH ?? '').split(':').some((dir) => dir && existsSync(join(dir, command)));
}

function libvulkanLoadable() {
  // ldconfig lives in /sbin, which is not on every user's PATH.
  for (const ldconfig of ['ldconfig', '/sbin/ldconfig', '/usr/sbin/ldconfig']) {
    const result = spawnSync(ldconfig, ['-p'], { encoding: 'utf8' });
    if (result.status === 0) return /\blibvulkan\.so\.1\b/.test(result.stdout);
  }
  return LIBVULKAN_FALLBACK_PATHS.some((path) => existsSync(path));
}

/** Vulkan drivers other than Mesa's lavapipe, which Dawn rejects (see docs/environment.md). */
function otherVulkanDrivers() {
  const manifests = ICD_DIRECTORIES.flatMap((dir) => (existsSync(dir) ? readdirSync(dir).map((f) => join(dir, f)) : []));
  return manifests.filter((path) => path.endsWith('.json') && !/lvp|lavapipe/.test(path));
}

function inspectSystem() {
  const chromium = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
  return {
    chromium,
    hasChromium: existsSync(chromium),
    swiftShader: SWIFTSHADER_MANIFESTS.find((path) => existsSync(path)) ?? null,
    libvulkan: libvulkanLoadable(),
    drivers: otherVulkanDrivers(),
  };
}

function systemProblems(state) {
  const problems = [];
  if (!state.libvulkan) problems.push('the Vulkan loader libvulkan.so.1 is missing (Dawn needs it for WebGPU in Node)');
  if (!state.swiftShader && state.drivers.length === 0) {
    problems.push('no Vulkan driver for WebGPU in Node: neither SwiftShader (Debian chromium) nor a GPU driver');
  }
  if (!state.hasChromium) problems.push(`no Chromium at ${state.chromium} (needed by the browser tests)`);
  return problems;
}

function ensureSystem() {
  if (process.platform !== 'linux') {
    say(`${process.platform}: Dawn uses the platform's own GPU API; set CHROMIUM_PATH to a Chromium or Chrome for the browser tests`);
    return;
  }
  if (process.env.CHROMIUM_PATH && !existsSync(process.env.CHROMIUM_PATH)) {
    throw new SetupError(`CHROMIUM_PATH=${process.env.CHROMIUM_PATH} does not exist; unset it to use Debian's chromium`);
  }
  let state = inspectSystem();
  let problems = systemProblems(state);
  if (problems.length > 0) {
    for (const problem of problems) say(`missing: ${problem}`);
    const isRoot = process.getuid?.() === 0;
    if (!onPath('apt-get')) {
      throw new SetupError(
        'no apt-get here: install Chromium and the Vulkan loader (libvulkan.so.1) with your package manager, ' +
          'then set CHROMIUM_PATH if Chromium is not /usr/bin/chromium',
      );
    }
    if (!isRoot) {
      throw new SetupError(`installing system packages needs root; run:\n  sudo sh -c '${APT_COMMAND}'\nthen npm run setup again`);
    }
    if (run('apt-get', ['update']) !== 0) {
      throw new SetupError('apt-get update failed (see above): check the network and /etc/apt/sources.list*');
    }
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    if (run('apt-get', ['install', '-y', ...APT_PACKAGES], { env }) !== 0) {
      throw new SetupError(`apt-get install -y ${APT_PACKAGES.join(' ')} failed (see above)`);
    }
    state = inspectSystem();
    problems = systemProblems(state);
    if (problems.length > 0) throw new SetupError(`still missing after apt-get install: ${problems.join('; ')}`);
  }
  const others = state.drivers.map((path) => basename(path)).join(', ');
  say(`WebGPU for Node: libvulkan.so.1, ${state.swiftShader ? `SwiftShader (${state.swiftShader})` : 'no SwiftShader'}${others ? `; other Vulkan drivers: ${others}` : ''}`);
  say(`browser tests: ${state.chromium}`);
}

function npm(args) {
  // Under `npm run`, npm_execpath is npm's own script: the same npm, on any platform, without a shell.
  const execPath = process.env.npm_execpath;
  return execPath && /\.c?js$/.test(execPath) ? run(process.execPath, [execPath, ...args]) : run('npm', args);
}

/** Whether node_modules holds exactly the lockfile's packages (npm records what it installed there). */
function nodeModulesMatchLock() {
  const installedPath = join(repo, 'node_modules/.package-lock.json');
  if (!existsSync(installedPath)) return false;
  const lock = JSON.parse(readFileSync(join(repo, 'package-lock.json'), 'utf8'));
  const installed = JSON.parse(readFileSync(installedPath, 'utf8'));
  const manifest = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8'));
  const root = lock.packages?.[''] ?? {};
  for (const field of ['dependencies', 'devDependencies']) {
    if (JSON.stringify(root[field] ?? {}) !== JSON.stringify(manifest[field] ?? {})) return false;
  }
  return Object.entries(lock.packages ?? {}).every(([path, entry]) => {
    if (path === '') return true;
    const present = installed.packages?.[path];
    // Optional packages for other platforms (esbuild's, rollup's binaries) are legitimately absent.
    if (!present) return Boolean(entry.optional);
    return present.version === entry.version;
  });
}

function ensureDependencies() {
  if (!existsSync(join(repo, 'package-lock.json'))) {
    say('no package-lock.json: npm install');
    if (npm(['install']) !== 0) throw new SetupError('npm install failed (see above)');
    return;
  }
  if (nodeModulesMatchLock()) {
    say('node_modules matches package-lock.json');
    return;
  }
  if (npm(['ci']) !== 0) throw new SetupError('npm ci failed (see above); if package.json changed, run npm install and commit the lockfile');
}

function build() {
  const manifest = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8'));
  const script = manifest.scripts?.build;
  if (!script) {
    say('no build script in package.json: nothing to build');
    return;
  }
  const config = /--config\s+(\S+)/.exec(script)?.[1];
  if (config && !existsSync(join(repo, config))) {
    say(`build skipped: ${config} does not exist yet`);
    return;
  }
  if (npm(['run', 'build']) !== 0) throw new SetupError('npm run build failed (see above)');
}

function main() {
  if (process.argv.slice(2).some((arg) => arg === '--help' || arg === '-h')) {
    console.log(HELP);
    return;
  }
  const unknown = process.argv.slice(2);
  if (unknown.length > 0) throw new SetupError(`unknown argument(s) ${unknown.join(' ')}; see --help`);
  const started = Date.now();
  ensureSystem();
  ensureDependencies();
  build();
  say(`ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

try {
  main();
} catch (error) {
  if (!(error instanceof SetupError)) throw error;
  console.error(`setup: error: ${error.message}`);
  process.exit(1);
}
