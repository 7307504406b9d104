/** Where the trained zoo that ships with blindspot lies: `models/` at the root of the package. */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The `models/` folder beside blindspot's package.json, found from this module's own location, so it is
 * right in a checkout (src/ or the built dist/) and in an installed package alike.
 */
export function shippedZooFolder(): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'blindspot') return join(dir, 'models');
    if (dirname(dir) === dir) throw new Error('cannot find the blindspot package (its package.json) above this module');
  }
}
