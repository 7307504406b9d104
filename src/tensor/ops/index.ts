/** Every op, one module per family; each module holds the launches and the backward rules. */
export { fill, zeros, ones, fillLike, tensor, scalar } from './fill.ts';
export { add, sub, mul, div, maximum, minimum, greater, equal, broadcastTo } from './binary.ts';
export { sum, mean, max, min, argmax, sumToShape } from './reduce.ts';
