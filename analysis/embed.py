"""Embeddings of hidden activity (Fig 5B): t-SNE of the hidden traces over steps 100-799 of one
episode per training task, coloured by task, for every agent given; the separability the figure
claims is measured by silhouette scores (task labels) in the trace space and in the embedding.
Only steps at which the episode is still running count (an episode that ended early, e.g. an ant
that fell, is left out from there on; the summary gives each task's number of points).

    pdlf analyze embed --run runs/ant_pdlf --baseline runs/ant_weights
"""
from __future__ import annotations

import numpy as np

from .common import check_option, load_agents, output_dir, progress, pyplot, rl_evaluator, write_csv, write_summary

NAME = "embed"


def hidden_traces(run, first=100, last=799, stride=1, seed=4000):
    """(steps, 8 tasks, H) hidden traces of the run's centre, one episode per training task; the tasks;
    and (steps, 8 tasks) whether each episode was still running after that step (an episode that has
    ended, e.g. an ant that fell, keeps its network running on its last observation until every copy is
    done: those traces are not behaviour and are left out of the embedding)."""
    if run.cfg.model != "reference":
        raise ValueError(f"{run.dir}: embed reads the reference model's hidden traces; this run is '{run.cfg.model}'")
    ev = rl_evaluator(run, 1, episode_steps=last + 1)
    net = ev.network
    frames, alive = [], []

    def hook(t, b):
        if first <= t <= last and (t - first) % stride == 0:
            frames.append(net.hid.variables["tr"].get_value().reshape(net.P, net.B, -1)[0].copy())
            alive.append(b.alive.reshape(net.P, net.B)[0].copy())

    ev.batch.hooks.append(hook)
    tasks = list(ev.train_tasks) if ev.train_tasks is not None else [None] * 8
    ev.episode(run.centre[None], tasks, np.arange(8) + seed)
    return np.array(frames), tasks, np.array(alive, dtype=bool).reshape(len(frames), 8)


def run(run_dir, out_dir=None, baseline=None, first=100, last=799, stride=1, perplexity=30.0, seed=0):
    from sklearn.manifold import TSNE
    from sklearn.metrics import silhouette_score

    check_option(NAME, "first", first, first >= 0, "a step >= 0")
    check_option(NAME, "last", last, last > first, f"a step after first={first}")
    check_option(NAME, "stride", stride, stride >= 1, "at least 1 step")
    check_option(NAME, "perplexity", perplexity, perplexity > 0, "a positive number")
    agents = load_agents(NAME, run_dir, baseline)
    if agents[0].cfg.task != "wm":
        from pdlf_brian.tasks import env_class
        if env_class(agents[0].cfg.task).task_kind is None:
            raise ValueError(f"embed colours each training task's traces: {agents[0].cfg.task} has no training tasks "
                             "(a random target every episode); use ant_dir, swimmer_dir, halfcheetah_vel or hopper_vel")
    out = out_dir or output_dir(run_dir, NAME)
    plt = pyplot()
    fig, axes = plt.subplots(1, len(agents), figsize=(4.5 * len(agents), 4), dpi=120, squeeze=False)
    summary, rows = {"steps": [first, last], "stride": stride, "perplexity": perplexity, "agents": {}}, []
    for ax, agent in zip(axes[0], agents):
        progress(f"embed: {agent.label}: traces and t-SNE")
        tr, tasks, alive = hidden_traces(agent, first, last, stride)
        T = len(tr)
        keep = alive.T.reshape(-1)                                 # task-major, as X
        kept = np.repeat(np.arange(8), T)[keep]
        if T < 2 or len(set(kept)) < 2 or len(kept) < len(set(kept)) + 2:   # (what t-SNE and silhouettes need)
            raise ValueError(f"{agent.dir}: too few traces of running episodes after step {first} ({len(kept)} "
                             f"points of {len(set(kept))} tasks): nothing to embed (choose an earlier -o first)")
        X, labels = tr.transpose(1, 0, 2).reshape(8 * T, -1)[keep], kept   # task-major, running episodes only
        flat = X.std() == 0
        emb = np.zeros((len(X), 2)) if flat else TSNE(
            n_components=2, perplexity=min(perplexity, (len(X) - 1) / 3), random_state=seed,
            init="pca").fit_transform(X)
        s_raw = None if flat or len(set(map(tuple, X))) < 9 else float(silhouette_score(X, labels))
        s_emb = None if flat else float(silhouette_score(emb, labels))
        summary["agents"][agent.label] = {"plastic": agent.plastic, "points": len(X),
                                          "points_per_task": alive.sum(axis=0).tolist(),
                                          "silhouette_traces": s_raw, "silhouette_tsne": s_emb,
                                          "constant_activity": bool(flat)}
        sc = ax.scatter(emb[:, 0], emb[:, 1], c=labels, cmap="tab10", vmin=0, vmax=9, s=2)
        ax.set_title(f"{agent.label}\nsilhouette {s_emb if s_emb is None else round(s_emb, 2)}", fontsize=8)
        ax.set_xticks([]); ax.set_yticks([])
        ax.set_xlabel("t-SNE 1 (arbitrary units)"); ax.set_ylabel("t-SNE 2 (arbitrary units)")
        for k in range(8):
            rows.append({"agent": agent.label, "task": tasks[k], "steps_running": int(alive[:, k].sum()),
                         "mean_abs_trace": float(np.abs(tr[alive[:, k], k]).mean()) if alive[:, k].any()
                         else float("nan")})
    fig.colorbar(sc, ax=axes[0].tolist(), label="training task index")
    fig.savefig(out / "tsne.png")
    plt.close(fig)
    write_csv(out / "traces.csv", rows)
    return write_summary(out, summary)
