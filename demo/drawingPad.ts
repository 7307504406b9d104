/** A canvas to draw a digit on with a mouse, pen or finger (pointer events), white ink on black. */
import type { Ink } from './mnistDigit.ts';

/**
 * Stroke width as a share of the canvas side: a digit drawn across most of the canvas becomes strokes
 * about 2 pixels wide once scaled to MNIST's 20-pixel box, as MNIST's own strokes are.
 */
const STROKE = 0.075;

export class DrawingPad {
  private readonly context: CanvasRenderingContext2D;
  private drawing = false;
  private inked = false;

  /** @param onStroke Called when a stroke ends (and on clear), so the owner can redo its preview. */
  constructor(
    private readonly canvas: HTMLCanvasElement,
    private readonly onStroke: () => void,
  ) {
    this.context = canvas.getContext('2d', { willReadFrequently: true })!;
    this.clear();
    canvas.addEventListener('pointerdown', (event) => {
      this.drawing = true;
      canvas.setPointerCapture(event.pointerId);
      const [x, y] = this.point(event);
      this.context.beginPath();
      this.context.moveTo(x, y);
      // A dot for a click without movement.
      this.context.lineTo(x, y);
      this.context.stroke();
      this.inked = true;
    });
    canvas.addEventListener('pointermove', (event) => {
      if (!this.drawing) return;
      const [x, y] = this.point(event);
      this.context.lineTo(x, y);
      this.context.stroke();
    });
    const end = () => {
      if (!this.drawing) return;
      this.drawing = false;
      this.onStroke();
    };
    canvas.addEventListener('pointerup', end);
    canvas.addEventListener('pointercancel', end);
  }

  /** Whether anything was drawn since the last clear. */
  get hasInk(): boolean {
    return this.inked;
  }

  /** Wipe the canvas. */
  clear(): void {
    const { context, canvas } = this;
    context.fillStyle = '#000';
    context.fillRect(0, 0, canvas.width, canvas.height);
    context.strokeStyle = '#fff';
    context.lineWidth = STROKE * canvas.width;
    context.lineCap = context.lineJoin = 'round';
    this.inked = false;
    this.onStroke();
  }

  /** The ink as values in [0, 1] (the red channel: strokes are white on black). */
  ink(): Ink {
    const { width, height } = this.canvas;
    const rgba = this.context.getImageData(0, 0, width, height).data;
    const values = new Float32Array(width * height);
    for (let i = 0; i < values.length; i++) values[i] = rgba[4 * i] / 255;
    return { values, width, height };
  }

  /** A pointer event's position in canvas pixels (the canvas may be shown smaller than it is). */
  private point(event: PointerEvent): [number, number] {
    const box = this.canvas.getBoundingClientRect();
    return [((event.clientX - box.left) * this.canvas.width) / box.width, ((event.clientY - box.top) * this.canvas.height) / box.height];
  }
}
