#!/usr/bin/env python
"""
Synaptic theory of working memory, at one tenth of the published size.

Mongillo G, Barak O, Tsodyks M (2008) Synaptic theory of working memory. Science 319:1543-1546.
Parameters as in the paper's supplement (as transcribed in a MATLAB re-implementation) and in the
NEST re-implementation of Tiddia, Golosio, Fanti & Paolucci (2022) Front. Integr. Neurosci.
16:972055 (github.com/gmtiddia/working_memory_spiking_network):

- LIF neurons, threshold 20 mV, reset 16 mV (E) / 13 mV (I), tau_m 15 ms (E) / 10 ms (I),
  refractory 2 ms; instantaneous (delta) PSPs with delays uniform in 0.1-1 ms.
- p = 5 selective excitatory populations, coding level f = 0.1, connection probability c = 0.2.
- PSP sizes: J_p = 0.45 mV inside a selective population, J_b = 0.1 mV for the other E->E
  synapses, E->I 0.135 mV, I->E 0.25 mV, I->I 0.2 mV.
- Short-term plasticity (Tsodyks-Markram) on E->E synapses only: U = 0.2, tau_F = 1.5 s,
  tau_D = 0.2 s. Between spikes u relaxes to U and x to 1; at a spike u += U(1-u) first, the PSP
  is J*u*x with the new u and the old x, then x -= u*x (order of the NEST tsodyks3_synapse that
  Tiddia et al. use). u and x depend only on the presynaptic spike train, so all outgoing E->E
  synapses of a neuron share one (u, x) pair; we keep it in the presynaptic neuron (exact, cheap).
- Background: mean mu plus white noise of SD sigma = 1 mV (Tiddia) in each neuron.
- Cue: background of population 1 raised by 15 % for 350 ms. Readout: background of all
  excitatory neurons raised by 5 % for 250 ms.

Reduction: 800 E + 200 I neurons instead of 8000 + 2000 (10x fewer; 80 neurons per selective
population). To keep the mean recurrent input of a neuron equal to the paper's, the connection
probability is raised from 0.2 to 0.5 and every PSP is multiplied by 4 (in-degree x PSP unchanged:
0.5 * N/10 * 4J = 0.2 * N * J). Fluctuations of the recurrent input are larger than in the paper,
so the background means differ from the published 23.1 mV (E) and 21 mV (I): the values below
(MU_E, MU_I) put this small network in the paper's "single stable state" (Fig. 2A): low
spontaneous activity, no persistent activity after the cue. Not modelled: the fraction (0.1) of
potentiated non-selective -> E synapses in Tiddia et al.

The figure shows the paper's Fig. 2A: the cue makes population 1 fire, which facilitates its
synapses (u rises, x falls); during the delay population 1 fires at its spontaneous rate while its
u decays slowly (tau_F = 1.5 s); the non-specific readout then makes population 1 (only) emit a
population spike. The memory is in u, not in the spiking.

Usage: python synaptic_theory_wm.py [--quick] [--seed N] [--out synaptic_theory_wm.png]
"""
import argparse
import sys

import numpy as np
from brian2 import (NeuronGroup, Synapses, SpikeMonitor, StateMonitor, TimedArray, Network, prefs,
                    seed as brian_seed, defaultclock, mV, ms, second, Hz)

prefs.codegen.target = "numpy"

N_E, N_I = 800, 200            # paper: 8000, 2000
P, F = 5, 0.1                  # selective populations, coding level -> 80 neurons each
C = 0.5                        # connection probability (paper 0.2, see docstring)
SCALE = 4                      # PSP multiplier, C * N_E * SCALE = 0.2 * 8000
THETA, V_R_E, V_R_I = 20*mV, 16*mV, 13*mV
TAU_E, TAU_I, T_REF = 15*ms, 10*ms, 2*ms
J_P, J_B = 0.45*mV*SCALE, 0.10*mV*SCALE
J_IE, J_EI, J_II = 0.135*mV*SCALE, 0.25*mV*SCALE, 0.20*mV*SCALE
D_MIN, D_MAX = 0.1*ms, 1*ms
U, TAU_F, TAU_D = 0.2, 1.5*second, 0.2*second
MU_E, MU_I, SIGMA = 23.1*mV, 21.0*mV, 1.0*mV
A_CUE, T_CUE = 0.15, 350*ms    # cue: +15 % to population 1
A_READ, T_READ = 0.05, 250*ms  # readout: +5 % to all E neurons
STIM_DT = 50*ms

eqs_E = """
dv/dt = (mu - v)/TAU_E + SIGMA*sqrt(2/TAU_E)*xi : volt (unless refractory)
mu = MU_E*(1 + cue(t)*int(pop == 1) + readout(t)) : volt
du/dt = (U - u)/TAU_F : 1     # facilitation (utilisation)
dx/dt = (1 - x)/TAU_D : 1     # depression (available resources)
ux : 1                        # u*x used by this neuron's last spike
pop : integer (constant)      # 0: non-selective, 1..P: selective population
"""
eqs_I = "dv/dt = (MU_I - v)/TAU_I + SIGMA*sqrt(2/TAU_I)*xi : volt (unless refractory)"
reset_E = "v = V_R_E; u += U*(1 - u); ux = u*x; x -= u*x"


def run(quick=False, seed=0):
    """Build and run the network; return the key numbers (and the recordings under "rec")."""
    brian_seed(seed)
    defaultclock.dt = 0.1*ms
    t_pre, t_delay, t_post = (0.3*second, 1.0*second, 0.15*second) if quick else \
                             (0.5*second, 1.5*second, 0.3*second)
    t_cue = t_pre                                  # cue onset
    t_read = t_cue + T_CUE + t_delay               # readout onset
    t_end = t_read + T_READ + t_post
    n_bins = int(round(t_end/STIM_DT))
    steps = np.arange(n_bins)*STIM_DT
    cue = TimedArray(A_CUE*((steps >= t_cue) & (steps < t_cue + T_CUE)), dt=STIM_DT)
    readout = TimedArray(A_READ*((steps >= t_read) & (steps < t_read + T_READ)), dt=STIM_DT)
    ns = {k: v for k, v in globals().items() if k.isupper()}   # the constants above
    ns.update(cue=cue, readout=readout)

    E = NeuronGroup(N_E, eqs_E, threshold="v > THETA", reset=reset_E, refractory=T_REF,
                    method="euler", namespace=ns, name="E")
    I = NeuronGroup(N_I, eqs_I, threshold="v > THETA", reset="v = V_R_I", refractory=T_REF,
                    method="euler", namespace=ns, name="I")
    n_sel = int(F*N_E)
    E.pop = np.concatenate([np.repeat(np.arange(1, P + 1), n_sel), np.zeros(N_E - P*n_sel, int)])
    E.v = "V_R_E + rand()*(THETA - V_R_E)"
    I.v = "V_R_I + rand()*(THETA - V_R_I)"
    E.u, E.x, E.ux = U, 1, U

    EE = Synapses(E, E, "w : volt (constant)", on_pre="v_post += w*ux_pre", namespace=ns, name="EE")
    EE.connect(condition="i != j", p=C)
    EE.w = "J_B + (J_P - J_B)*int(pop_pre == pop_post and pop_pre > 0)"
    EI = Synapses(E, I, on_pre="v_post += J_IE", namespace=ns, name="EI")
    IE = Synapses(I, E, on_pre="v_post -= J_EI", namespace=ns, name="IE")
    II = Synapses(I, I, on_pre="v_post -= J_II", namespace=ns, name="II")
    for S in (EE, EI, IE, II):
        if S is not EE:
            S.connect(condition="i != j" if S is II else None, p=C)
        S.delay = "D_MIN + rand()*(D_MAX - D_MIN)"

    spikes = SpikeMonitor(E, name="spikes")
    spikes_I = SpikeMonitor(I, record=False, name="spikes_I")
    rec = list(range(0, n_sel)) + list(range(n_sel, 2*n_sel))   # populations 1 and 2
    stp = StateMonitor(E, ["u", "x"], record=rec, dt=5*ms, name="stp")
    net = Network(E, I, EE, EI, IE, II, spikes, spikes_I, stp)
    net.run(t_end, namespace=ns)

    t_s, i_s, pop = spikes.t/second, spikes.i[:], E.pop[:]

    def rate(p, t0, t1):
        """Mean rate (Hz) of population p in [t0, t1)."""
        sel = (pop[i_s] == p) & (t_s >= t0/second) & (t_s < t1/second)
        return sel.sum()/(np.sum(pop == p)*float((t1 - t0)/second))

    def peak(p, t0, t1, width=0.02):
        """Largest rate (Hz) of population p in 20-ms bins within [t0, t1)."""
        sel = t_s[pop[i_s] == p]
        bins = np.arange(float(t0/second), float(t1/second) - width/2, width/2)
        counts = [np.sum((sel >= b) & (sel < b + width)) for b in bins]
        return max(counts)/(np.sum(pop == p)*width)

    def stp_mean(var, p, t0, t1):
        w = (stp.t >= t0) & (stp.t < t1)
        return float(getattr(stp, var)[(p - 1)*n_sel:p*n_sel][:, w].mean())

    late = (t_read - 0.1*second, t_read)           # end of the delay
    delay = (t_cue + T_CUE + 0.1*second, t_read)   # delay, without the cue's off-transient
    return {
        "rate_baseline_hz": rate(1, 0.1*second, t_cue),
        "rate_cued_delay_hz": rate(1, *delay),
        "rate_other_delay_hz": max(rate(p, *delay) for p in range(2, P + 1)),
        "rate_nonsel_delay_hz": rate(0, *delay),
        "rate_cued_readout_hz": rate(1, t_read, t_read + T_READ),
        "rate_other_readout_hz": max(rate(p, t_read, t_read + T_READ) for p in range(2, P + 1)),
        "rate_nonsel_readout_hz": rate(0, t_read, t_read + T_READ),
        "rate_inh_hz": spikes_I.num_spikes/(N_I*float(t_end/second)),
        "peak_cued_readout_hz": peak(1, t_read, t_read + T_READ),
        "peak_other_readout_hz": max(peak(p, t_read, t_read + T_READ) for p in range(2, P + 1)),
        "peak_other_delay_hz": max(peak(p, *delay) for p in range(1, P + 1)),
        "u_cued_delay": stp_mean("u", 1, *late), "u_other_delay": stp_mean("u", 2, *late),
        "x_cued_delay": stp_mean("x", 1, *late), "x_other_delay": stp_mean("x", 2, *late),
        "rec": dict(t_spk=t_s, i_spk=i_s, pop=pop, t_stp=stp.t/second, u=stp.u[:], x=stp.x[:],
                    n_sel=n_sel, cue=(t_cue/second, (t_cue + T_CUE)/second),
                    read=(t_read/second, (t_read + T_READ)/second), t_end=t_end/second),
    }


def plot(res, path):
    """Raster, population rates and mean u, x of populations 1 (cued) and 2 (control)."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    r = res["rec"]
    n_sel, t_end = r["n_sel"], r["t_end"]
    fig, axes = plt.subplots(4, 1, sharex=True, figsize=(8, 9), height_ratios=[2, 1.2, 1, 1])
    colors = {1: "C3", 2: "C0", 0: "0.5"}
    names = {1: "pop. 1 (cued)", 2: "pop. 2 (not cued)", 0: "non-selective"}
    for k, ax in enumerate(axes):
        for (a, b), c in ((r["cue"], "C3"), (r["read"], "C2")):
            ax.axvspan(a, b, color=c, alpha=0.12, lw=0)
    axes[0].plot(r["t_spk"], r["i_spk"], ",k", rasterized=True)
    axes[0].set(ylabel="E neuron", ylim=(0, len(r["pop"])),
                title="cue (red) to pop. 1, delay, non-specific readout (green)")
    for p in range(1, P + 1):
        axes[0].axhline(p*n_sel, color="0.7", lw=0.5)
    bins = np.arange(0, t_end + 1e-9, 0.01)
    for p in (1, 2, 0):
        counts = np.histogram(r["t_spk"][r["pop"][r["i_spk"]] == p], bins)[0]
        axes[1].plot(bins[:-1] + 0.005, counts/(np.sum(r["pop"] == p)*0.01), color=colors[p],
                     label=names[p], lw=1)
    axes[1].set(ylabel="rate (Hz)")
    axes[1].legend(loc="upper left", fontsize=8, frameon=False)
    for ax, var in ((axes[2], "u"), (axes[3], "x")):
        for p in (1, 2):
            ax.plot(r["t_stp"], r[var][(p - 1)*n_sel:p*n_sel].mean(0), color=colors[p],
                    label=names[p])
        ax.set(ylabel=f"mean {var}")
    axes[2].legend(loc="upper right", fontsize=8, frameon=False)
    axes[3].set(xlabel="time (s)", xlim=(0, t_end))
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    ap.add_argument("--quick", action="store_true", help="shorter run (1 s delay)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", default="synaptic_theory_wm.png")
    args = ap.parse_args(argv)
    res = run(quick=args.quick, seed=args.seed)
    for k, v in res.items():
        if k != "rec":
            print(f"{k:24s} {v:8.3f}")
    plot(res, args.out)
    print("figure written to", args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
