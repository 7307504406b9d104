/**
 * Parsers for numeric command-line options. Commander calls them as it reads the arguments, so a bad
 * value stops the command before any work, with a message that names the option and the accepted range.
 */
import { InvalidArgumentError } from 'commander';

function parsed(value: string): number {
  // Number('') is 0 and Number(' 7') is 7: only a plain numeral counts.
  return /^\s*$/.test(value) ? Number.NaN : Number(value);
}

/** An integer ≥ 1. */
export function positiveInt(value: string): number {
  const n = parsed(value);
  if (!Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError(`expected an integer ≥ 1, got '${value}'`);
  return n;
}

/** An integer ≥ 0 (seeds, counts that may be zero). */
export function nonNegativeInt(value: string): number {
  const n = parsed(value);
  if (!Number.isSafeInteger(n) || n < 0) throw new InvalidArgumentError(`expected an integer ≥ 0, got '${value}'`);
  return n;
}

/** A finite number > 0. */
export function positiveNumber(value: string): number {
  const n = parsed(value);
  if (!(n > 0) || !Number.isFinite(n)) throw new InvalidArgumentError(`expected a finite number > 0, got '${value}'`);
  return n;
}

/** A number in [0, 1). */
export function fraction(value: string): number {
  const n = parsed(value);
  if (!(n >= 0 && n < 1)) throw new InvalidArgumentError(`expected a number in [0, 1), got '${value}'`);
  return n;
}

/** Any integer (negative ones included). */
export function integer(value: string): number {
  const n = parsed(value);
  if (!Number.isSafeInteger(n)) throw new InvalidArgumentError(`expected an integer, got '${value}'`);
  return n;
}

/** A probability strictly between 0 and 1. */
export function probability(value: string): number {
  const p = parsed(value);
  if (!(p > 0 && p < 1)) throw new InvalidArgumentError(`expected a probability strictly between 0 and 1, got '${value}'`);
  return p;
}
