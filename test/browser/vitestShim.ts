/**
 * The part of Vitest's API that the kernel tests use, for running the same test files in a browser page.
 * The browser suite's Vite config aliases `vitest` to this module. `expect` is Vitest's own (the Jest
 * matchers as a Chai plugin from @vitest/expect), so assertions behave exactly as under Vitest in Node;
 * describe/it and the hooks are a small collecting runner: importing a test file registers its tests,
 * `runFile` then runs them in order. A test file that imports something this module lacks (vi, it.each,
 * ...) fails to import, which the page reports as a failure of that file.
 */
import {
  ASYMMETRIC_MATCHERS_OBJECT,
  GLOBAL_EXPECT,
  JestAsymmetricMatchers,
  JestChaiExpect,
  JestExtend,
  chai,
  setState,
  type ExpectStatic,
} from '@vitest/expect';

chai.use(JestExtend);
chai.use(JestChaiExpect);
chai.use(JestAsymmetricMatchers);

// As Vitest's createExpect does: a callable that builds Chai assertions and carries Chai's statics
// (expect.fail, ...) and the asymmetric matchers (expect.any, ...); matchers read their state from it.
export const expect = ((value: unknown, message?: string) => chai.expect(value, message)) as unknown as ExpectStatic;
Object.assign(expect, chai.expect);
Object.assign(expect, (globalThis as Record<symbol, object>)[ASYMMETRIC_MATCHERS_OBJECT]);
setState({ assertionCalls: 0, isExpectingAssertions: false, expectedAssertionsNumber: null }, expect);
(globalThis as Record<symbol, unknown>)[GLOBAL_EXPECT] = expect;

type TestFunction = () => unknown;
type Hook = () => unknown;

interface TestCase {
  kind: 'test';
  name: string;
  fn: TestFunction;
  timeout: number;
  skip: boolean;
}

interface Suite {
  kind: 'suite';
  name: string;
  children: (Suite | TestCase)[];
  beforeAll: Hook[];
  afterAll: Hook[];
  beforeEach: Hook[];
  afterEach: Hook[];
  skip: boolean;
}

export interface TestResult {
  /** Suite names and the test name, outermost first. */
  path: string[];
  status: 'passed' | 'failed' | 'skipped';
  ms: number;
  error?: string;
}

/** Same per-test limit as the Node project in vitest.config.ts. */
const DEFAULT_TIMEOUT_MS = 120_000;

function newSuite(name: string, skip = false): Suite {
  return { kind: 'suite', name, children: [], beforeAll: [], afterAll: [], beforeEach: [], afterEach: [], skip };
}

let collecting: Suite | null = null;

function current(what: string): Suite {
  if (!collecting) throw new Error(`${what}() was called outside a test file's top level or a describe() block`);
  return collecting;
}

function collectSuite(name: string, body: () => void, skip: boolean): void {
  const parent = current('describe');
  const suite = newSuite(name, skip || parent.skip);
  parent.children.push(suite);
  collecting = suite;
  try {
    body();
  } finally {
    collecting = parent;
  }
}

function collectTest(name: string, fn: TestFunction, timeout: number | undefined, skip: boolean): void {
  const suite = current('it');
  suite.children.push({ kind: 'test', name, fn, timeout: timeout ?? DEFAULT_TIMEOUT_MS, skip: skip || suite.skip });
}

export const describe = Object.assign((name: string, body: () => void) => collectSuite(name, body, false), {
  skip: (name: string, body: () => void) => collectSuite(name, body, true),
});

export const it = Object.assign(
  (name: string, fn: TestFunction, timeout?: number) => collectTest(name, fn, timeout, false),
  { skip: (name: string, fn: TestFunction, timeout?: number) => collectTest(name, fn, timeout, true) },
);
export const test = it;

export const beforeAll = (hook: Hook): void => void current('beforeAll').beforeAll.push(hook);
export const afterAll = (hook: Hook): void => void current('afterAll').afterAll.push(hook);
export const beforeEach = (hook: Hook): void => void current('beforeEach').beforeEach.push(hook);
export const afterEach = (hook: Hook): void => void current('afterEach').afterEach.push(hook);

function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  // The message is taken apart from the stack: matchers may rewrite it after the stack was captured.
  const frames = (error.stack ?? '').split('\n').filter((line) => /^\s+at /.test(line));
  return [`${error.name}: ${error.message}`, ...frames].join('\n');
}

async function withTimeout(fn: () => unknown, ms: number, what: string): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
  });
  try {
    await Promise.race([Promise.resolve().then(fn), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function runHooks(hooks: Hook[], what: string): Promise<void> {
  for (const hook of hooks) await withTimeout(hook, DEFAULT_TIMEOUT_MS, what);
}

interface Inherited {
  beforeEach: Hook[];
  afterEach: Hook[];
  /** A failed beforeAll of an enclosing suite: its tests are reported failed without running. */
  setupError: unknown;
}

function hasActiveTests(suite: Suite): boolean {
  return suite.children.some((child) => (child.kind === 'test' ? !child.skip : hasActiveTests(child)));
}

async function runSuite(suite: Suite, path: string[], inherited: Inherited, report: (result: TestResult) => void): Promise<void> {
  const where = path.join(' > ');
  const active = hasActiveTests(suite) && !inherited.setupError;
  let setupError = inherited.setupError;
  if (active) {
    try {
      await runHooks(suite.beforeAll, `beforeAll of ${where}`);
    } catch (error) {
      setupError = error;
    }
  }
  const hooks: Inherited = {
    beforeEach: [...inherited.beforeEach, ...suite.beforeEach],
    afterEach: [...suite.afterEach, ...inherited.afterEach],
    setupError,
  };
  for (const child of suite.children) {
    const childPath = [...path, child.name];
    if (child.kind === 'suite') {
      await runSuite(child, childPath, hooks, report);
    } else if (child.skip) {
      report({ path: childPath, status: 'skipped', ms: 0 });
    } else if (setupError) {
      report({ path: childPath, status: 'failed', ms: 0, error: `beforeAll failed: ${describeError(setupError)}` });
    } else {
      report(await runTest(child, childPath, hooks));
    }
  }
  if (active) {
    try {
      await runHooks(suite.afterAll, `afterAll of ${where}`);
    } catch (error) {
      report({ path: [...path, '(afterAll)'], status: 'failed', ms: 0, error: describeError(error) });
    }
  }
}

async function runTest(test: TestCase, path: string[], hooks: Inherited): Promise<TestResult> {
  const start = performance.now();
  let failure: unknown = null;
  try {
    await runHooks(hooks.beforeEach, 'beforeEach');
    await withTimeout(test.fn, test.timeout, `test '${test.name}'`);
  } catch (error) {
    failure = error;
  }
  try {
    await runHooks(hooks.afterEach, 'afterEach');
  } catch (error) {
    failure ??= error;
  }
  const ms = performance.now() - start;
  return failure ? { path, status: 'failed', ms, error: describeError(failure) } : { path, status: 'passed', ms };
}

/**
 * Import one test file (its top level registers describe/it/hooks here), then run what it registered.
 * An import that throws is reported as one failed entry, `(import)`.
 */
export async function runFile(name: string, load: () => Promise<unknown>, report: (result: TestResult) => void): Promise<void> {
  const root = newSuite(name);
  collecting = root;
  try {
    await load();
  } catch (error) {
    const hint = 'could not load the test file (if it needs Node, exclude it in test/browser/main.ts)';
    report({ path: [name, '(import)'], status: 'failed', ms: 0, error: `${hint}: ${describeError(error)}` });
    return;
  } finally {
    collecting = null;
  }
  await runSuite(root, [name], { beforeEach: [], afterEach: [], setupError: null }, report);
}
