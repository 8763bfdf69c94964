"""Figures written by ``pdlf train`` (the analyses in analysis/ make the rest)."""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402


def learning_curve(history, path, title="", ylabel="recall accuracy"):
    chance = 0.5 if ylabel == "recall accuracy" else None
    g = np.array([h["generation"] for h in history])
    fig, ax = plt.subplots(figsize=(6, 3.6), dpi=120)
    ax.plot(g, [h["mean"] for h in history], color="0.6", lw=1, label="population mean")
    ax.plot(g, [h["best"] for h in history], color="tab:blue", lw=1, label="best sample")
    ax.plot(g, [h["centre"] for h in history], color="tab:red", lw=1.5, label="centre")
    if chance is not None:
        ax.axhline(chance, color="k", ls=":", lw=1, label="chance")
    ax.set_xlabel("generation")
    ax.set_ylabel(f"{ylabel} (training batch)")
    ax.set_title(title, fontsize=9)
    ax.legend(fontsize=7, loc="lower right")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
