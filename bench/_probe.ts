import * as tf from '@tensorflow/tfjs';
const out = document.getElementById('out')!;
async function main() {
  tf.env().set('WEBGL_CPU_FORWARD', false);
  await tf.setBackend('webgl');
  const n = 512;
  const a = tf.randomUniform([n, n]); const b = tf.randomUniform([n, n]);
  const gl = (tf.backend() as any).gpgpu.gl as WebGL2RenderingContext;
  // warm
  let c = tf.matMul(a, b); await c.data(); c.dispose();
  const lines: string[] = [];
  for (let r = 0; r < 3; r++) {
    let t = performance.now(); c = tf.matMul(a, b); const t1 = performance.now(); gl.finish(); const t2 = performance.now(); await c.data(); const t3 = performance.now(); c.dispose();
    lines.push(`finish: enqueue ${(t1-t).toFixed(1)} finish ${(t2-t1).toFixed(1)} then data ${(t3-t2).toFixed(1)}`);
    t = performance.now(); c = tf.matMul(a, b); c.dataSync(); const t4 = performance.now(); c.dispose();
    lines.push(`dataSync total ${(t4-t).toFixed(1)}`);
    t = performance.now(); c = tf.matMul(a, b); const s = c.slice([0,0],[1,1]); await s.data(); const t5 = performance.now(); c.dispose(); s.dispose();
    lines.push(`slice+data total ${(t5-t).toFixed(1)}`);
    t = performance.now(); c = tf.matMul(a, b);
    let polls = 0;
    const sync = gl.fenceSync(gl.SYNC_GPU_COMMANDS_COMPLETE, 0)!; gl.flush();
    const start = performance.now();
    while (gl.clientWaitSync(sync, 0, 0) === gl.TIMEOUT_EXPIRED) { polls++; const el = performance.now() - start; await new Promise<void>(r => { const ch = new MessageChannel(); ch.port1.onmessage = () => r(); ch.port2.postMessage(0); }); if (el > 1) await new Promise(r => setTimeout(r, Math.min(el * 0.02, 4))); }
    const t6 = performance.now(); await c.data(); const t7 = performance.now(); c.dispose();
    lines.push(`fence adaptive poll ${(t6-t).toFixed(1)} (${polls} polls) then data ${(t7-t6).toFixed(1)}`);
    t = performance.now(); c = tf.matMul(a, b); polls = 0;
    const sync2 = gl.fenceSync(gl.SYNC_GPU_COMMANDS_COMPLETE, 0)!; gl.flush();
    while (gl.clientWaitSync(sync2, 0, 0) === gl.TIMEOUT_EXPIRED) { polls++; await new Promise<void>(r => { const ch = new MessageChannel(); ch.port1.onmessage = () => r(); ch.port2.postMessage(0); }); }
    const t8 = performance.now(); c.dispose();
    lines.push(`fence spin ${(t8-t).toFixed(1)} (${polls} polls)`);
  }
  out.textContent = lines.join('\n');
  (window as any).__done = lines;
}
main();
