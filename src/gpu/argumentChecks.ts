/**
 * Argument checks that only a kernel can make: whether the values of an index tensor (class labels, row
 * indices) are in range. The data lives on the GPU, and reading it back before every op would stall the
 * pipeline, so a kernel that meets a bad index records the smallest such position in a word of its own
 * (`atomicMin`), and the engine reads those words together with the next readback (or sync) and throws a
 * {@link KernelArgumentError} there, the way it reports GPU validation errors. One word serves every
 * dispatch of the same check between two readbacks.
 *
 * Words sit `minStorageBufferOffsetAlignment` bytes apart (a binding offset must be aligned), in buffers
 * of WORDS_PER_BUFFER words that are reused after each readback.
 */
import type { Binding } from './engine.ts';
import { KernelArgumentError } from './errors.ts';

/** A word's value while no dispatch has flagged anything (any flagged position is smaller). */
const CLEAR = 0xffffffff;
const WORDS_PER_BUFFER = 64;

/** What a flagged position means, e.g. op 'softmaxCrossEntropy', subject 'labels', problem 'is not ...'. */
export interface ArgumentCheck {
  /** The op, as errors name it. */
  op: string;
  /** The tensor argument whose elements the kernel checks. */
  subject: string;
  /** What is wrong with a flagged element, completing "<subject>[i] ...". */
  problem: string;
}

interface Word extends ArgumentCheck {
  /** Index among all words (buffer · WORDS_PER_BUFFER + slot). */
  index: number;
  /** Dispatches that used this word since the last readback. */
  dispatches: number;
}

/** The words in use at one readback: copied into its staging buffer, then judged once it is mapped. */
export interface PendingChecks {
  /** Bytes the copies occupy in the staging buffer (4 per word). */
  readonly bytes: number;
  /** Copy every word into `staging` from `offset` on, and queue their reset to follow that submit. */
  encode(encoder: GPUCommandEncoder, staging: GPUBuffer, offset: number): void;
  /** Clear the words; call right after the submit that holds the copies. */
  reset(): void;
  /** The error for the first flagged word among `values` (as read back), or null. */
  verdict(values: Uint32Array): KernelArgumentError | null;
}

export class ArgumentChecks {
  private readonly buffers: GPUBuffer[] = [];
  private readonly words = new Map<string, Word>();

  constructor(
    private readonly device: GPUDevice,
    /** Bytes between two words: the adapter's minStorageBufferOffsetAlignment. */
    private readonly stride: number,
  ) {}

  /** The 4-byte binding a kernel flags `check`'s bad elements in (as `atomic<u32>`). */
  binding(check: ArgumentCheck): Binding {
    const key = `${check.op}\u0000${check.subject}\u0000${check.problem}`;
    let word = this.words.get(key);
    if (!word) this.words.set(key, (word = { ...check, index: this.words.size, dispatches: 0 }));
    word.dispatches++;
    return { buffer: this.bufferOf(word.index), offset: (word.index % WORDS_PER_BUFFER) * this.stride, size: 4 };
  }

  /**
   * Take the words in use (null if none), so that dispatches encoded from now on start a new round; the
   * caller copies, submits, resets and judges them.
   */
  take(): PendingChecks | null {
    if (this.words.size === 0) return null;
    const words = [...this.words.values()];
    this.words.clear();
    const { device, stride } = this;
    return {
      bytes: words.length * 4,
      encode: (encoder, staging, offset) => {
        for (const [k, word] of words.entries()) {
          encoder.copyBufferToBuffer(this.bufferOf(word.index), (word.index % WORDS_PER_BUFFER) * stride, staging, offset + 4 * k, 4);
        }
      },
      reset: () => {
        for (const word of words) {
          device.queue.writeBuffer(this.bufferOf(word.index), (word.index % WORDS_PER_BUFFER) * stride, new Uint32Array([CLEAR]));
        }
      },
      verdict: (values) => {
        const k = values.findIndex((v) => v !== CLEAR);
        if (k < 0) return null;
        const word = words[k];
        const among = word.dispatches > 1 ? ` (in one of ${word.dispatches} ${word.op} calls since the previous readback)` : '';
        return new KernelArgumentError(word.op, values[k], `${word.subject}[${values[k]}] ${word.problem}${among}`);
      },
    };
  }

  /** Bytes of all word buffers. */
  get bytesAllocated(): number {
    return this.buffers.length * WORDS_PER_BUFFER * this.stride;
  }

  /** Destroy the buffers (the engine is going away). */
  destroy(): void {
    for (const buffer of this.buffers) buffer.destroy();
    this.buffers.length = 0;
    this.words.clear();
  }

  private bufferOf(index: number): GPUBuffer {
    const which = Math.floor(index / WORDS_PER_BUFFER);
    while (this.buffers.length <= which) {
      const buffer = this.device.createBuffer({
        size: WORDS_PER_BUFFER * this.stride,
        usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST,
        label: 'argument-checks',
      });
      this.device.queue.writeBuffer(buffer, 0, new Uint32Array((WORDS_PER_BUFFER * this.stride) / 4).fill(CLEAR));
      this.buffers.push(buffer);
    }
    return this.buffers[which];
  }
}
