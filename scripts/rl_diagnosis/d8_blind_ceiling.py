"""3. Target-blind ceilings: what a controller that ignores the target observations can earn.
ur5e: move the wrist from its start (0, 0.135, 1.08) to one fixed point p; progress reward = 0.1 (d0 - |t - p|)
when the path is monotone (upper bound: 0.1 * (d0 - |t - p|) summed is exactly that for any path, since the
reward telescopes only along d; we use the straight-line value).  fetch: walking a fixed heading for L metres."""
import numpy as np
rng = np.random.default_rng(0); N = 200000
u = rng.uniform(size=(N, 2)); r = 0.02 + 0.5 * u[:, 0]; a = 2 * np.pi * u[:, 1]
T = np.stack([r * np.cos(a), r * np.sin(a), np.full(N, 0.5)], 1)
w0 = np.array([0.0, 0.135, 1.08]); d0 = np.linalg.norm(T - w0, axis=1)
best = (-1, None)
for x in np.linspace(-0.5, 0.5, 21):
    for y in np.linspace(-0.5, 0.5, 21):
        for z in np.linspace(0.2, 1.1, 19):
            p = np.array([x, y, z])
            v = 0.1 * np.mean(d0 - np.linalg.norm(T - p, axis=1))
            if v > best[0]: best = (v, p)
print(f"ur5e: mean start distance {d0.mean():.3f} m (min {d0.min():.3f}, max {d0.max():.3f}); dense-term ceiling with "
      f"a perfect reach 0.1*(d0-0.02) = {0.1 * np.mean(d0 - 0.02):.3f} per target")
print(f"ur5e: best target-blind fixed wrist point {np.round(best[1], 3)} earns {best[0]:.4f} per episode (straight-line path)")
# fetch: a fixed heading walk of L metres (no steering) against uniformly random target angles
for L in (1, 4, 14.6):
    ang = rng.uniform(0, 2 * np.pi, N); rr = 2 + 15 * rng.uniform(size=N)
    tgt = np.stack([rr * np.cos(ang), rr * np.sin(ang)], 1)
    # progress along the way = 0.1 * (d_start - d_end) only if d is re-evaluated each step (it is): telescopes
    dz = 0.375
    dstart = np.hypot(rr, dz); end = np.array([L, 0.0]); dend = np.hypot(np.linalg.norm(tgt - end, axis=1), dz)
    pathmin = np.array([np.hypot(np.linalg.norm(tgt - np.array([s, 0.0]), axis=1), dz) for s in np.linspace(0, L, 50)]).min(0)
    print(f"fetch: fixed heading walk of {L:5.1f} m: mean progress reward {0.1 * np.mean(dstart - dend):+.3f} "
          f"(sd {0.1 * np.std(dstart - dend):.3f}); P(passes within 2 m of the target) {np.mean(pathmin < 2):.3f}")
print(f"fetch: P(target within 2+x m): x=1: {1/15:.3f}, x=4: {4/15:.3f}; mean start distance {np.mean(np.hypot(2 + 15 * rng.uniform(size=N), 0.375)):.2f} m")
