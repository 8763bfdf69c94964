"""Genome <-> per-synapse coefficient arrays, with a sharing choice.

A genome is one flat float vector.  It is laid out layer by layer (in the
network's layer order: ``in``, then ``rec`` if present, then ``out``), and
within a layer coefficient by coefficient in the rule's order.  Each block has
the shape the sharing gives:

===========  =======================  ==========================================
sharing      block shape              meaning
===========  =======================  ==========================================
synapse      (n_pre, n_post)          every synapse its own rule (the paper)
post         (n_post,)                one rule per postsynaptic neuron
pre          (n_pre,)                 one rule per presynaptic neuron
layer        ()                       one rule per layer (5 interpretable numbers)
channel      (n_kinds,)               input layer only: one rule per kind of input
                                      channel, shared by the input neurons of that
                                      kind (the task names the kinds: the WM task's
                                      bit, flag, cue and, with the position context,
                                      one kind ``pos`` for all Len position channels;
                                      each polarity of the biological model's
                                      push-pull pair is a kind of its own)
===========  =======================  ==========================================

For ``sharing='synapse'`` and the rule scp+pdp this is the reference layout:
layer 1 then layer 2, each as eta, A, B, C, D, each (n_pre, n_post) row-major.

A sharing may differ per layer: ``"post,out=synapse"`` shares per postsynaptic
neuron everywhere except the readout layer, whose synapses each get their own
rule; ``"in=post,rec=post,out=synapse"`` says the same layer by layer.  A bare
name is the default for the layers not named; every layer needs one.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

SHARINGS = ("synapse", "post", "pre", "layer", "channel")

#: E6 of the reference model: ``layer`` divides each layer's weights by the layer's max |w| (the paper,
#: docs/method.md); ``post`` divides each postsynaptic neuron's incoming weights by their own max |w| (not
#: the paper: a variant, so that one neuron's fast-growing rule cannot shrink the other neurons' weights)
NORMALISATIONS = ("layer", "post")

#: what a permanent lesion does to a blocked neuron's synapses (``Controller.set_lesion``): remove them
#: (the paper's lesion) or keep them while the neuron is mute
LESION_MODES = ("remove", "silence")


def parse_sharing(spec: str) -> tuple[str | None, dict[str, str]]:
    """``"post,out=synapse"`` -> ("post", {"out": "synapse"}); errors name the bad item."""
    if not isinstance(spec, str) or not spec.strip():
        raise ValueError(f"sharing must be a non-empty string such as 'post' or 'post,out=synapse', got {spec!r}")
    default, per_layer = None, {}
    for item in (i.strip() for i in spec.split(",")):
        layer, eq, name = item.rpartition("=")  # no "=": ("", "", item)
        layer, name = layer.strip(), name.strip()
        if name not in SHARINGS:
            raise ValueError(f"unknown sharing '{name}' in '{spec}'; choose one of {', '.join(SHARINGS)}")
        if not eq:
            if default is not None:
                raise ValueError(f"sharing '{spec}' gives two defaults ('{default}', '{name}'); "
                                 "name the layer of the other, e.g. 'post,out=synapse'")
            default = name
        elif not layer.isidentifier() or layer in per_layer:
            raise ValueError(f"sharing '{spec}': bad or repeated layer name '{layer}'")
        else:
            per_layer[layer] = name
    return default, per_layer


@dataclass(frozen=True)
class Layer:
    name: str
    n_pre: int
    n_post: int


def controller_layers(n_in: int, n_hidden: int, n_out: int, recurrent: bool) -> list[tuple[str, int, int]]:
    """(name, n_pre, n_post) of a controller's plastic layers: in, [rec], out."""
    return [("in", n_in, n_hidden)] + ([("rec", n_hidden, n_hidden)] if recurrent else []) \
        + [("out", n_hidden, n_out)]


class GenomeLayout:
    """Maps flat genomes onto per-layer, per-coefficient (n_pre, n_post) arrays."""

    def __init__(self, layers, coefficients, sharing="synapse", input_kinds=None):
        """input_kinds: the kind of each presynaptic neuron of layer 'in' (e.g. 'bit+', 'pos-'), which
        sharing 'channel' shares a rule among; None where the task names no kinds."""
        self.layers = tuple(Layer(*l) if not isinstance(l, Layer) else l for l in layers)
        for l in self.layers:
            if l.n_pre < 1 or l.n_post < 1:
                raise ValueError(f"layer '{l.name}' has impossible shape ({l.n_pre}, {l.n_post})")
        default, per_layer = parse_sharing(sharing)
        names = [l.name for l in self.layers]
        unknown = sorted(set(per_layer) - set(names))
        if unknown:
            raise ValueError(f"sharing '{sharing}' names layer(s) {', '.join(unknown)}; "
                             f"this network's plastic layers are {', '.join(names)}")
        missing = [n for n in names if n not in per_layer and default is None]
        if missing:
            raise ValueError(f"sharing '{sharing}' gives no sharing for layer(s) {', '.join(missing)}")
        #: the sharing of each layer, by name
        self.per_layer = {n: per_layer.get(n, default) for n in names}
        #: sharing 'channel': the kinds in genome order, each input neuron's index into them, and the
        #: first input neuron of each kind
        self.kinds, self.kind_of, self.first_of_kind = None, None, None
        for n, s in self.per_layer.items():
            if s != "channel":
                continue
            if n != "in":
                raise ValueError(f"sharing '{sharing}': 'channel' shares a rule among input neurons of one kind; "
                                 f"it applies to layer 'in' only, not '{n}'")
            if input_kinds is None:
                raise ValueError(f"sharing '{sharing}': 'channel' needs the kinds of the input channels, and this "
                                 "task names none (only the wm task does); use 'pre' for one rule per input neuron")
            n_pre = self.layers[names.index("in")].n_pre
            if len(input_kinds) != n_pre:
                raise ValueError(f"{len(input_kinds)} input kinds given for {n_pre} input neurons")
            self.kinds = tuple(dict.fromkeys(input_kinds))
            self.kind_of = np.array([self.kinds.index(k) for k in input_kinds])
            self.first_of_kind = np.array([list(input_kinds).index(k) for k in self.kinds])
        self.coefficients = tuple(coefficients)
        self.sharing = sharing
        self._blocks = []  # (layer, coefficient, start, shape)
        start = 0
        for layer in self.layers:
            shape = self.block_shape(layer)
            for c in self.coefficients:
                self._blocks.append((layer.name, c, start, shape))
                start += int(np.prod(shape))
        self.size = start

    def layer(self, name: str) -> Layer:
        """The plastic layer called name ('in', 'rec', 'out')."""
        return self.layers[self.layer_index(name)]

    def layer_index(self, name: str) -> int:
        """The position of layer name in genome (and normalisation-slot) order."""
        for k, l in enumerate(self.layers):
            if l.name == name:
                return k
        raise KeyError(f"no plastic layer {name!r}; this network's are {', '.join(l.name for l in self.layers)}")

    def block_shape(self, layer: Layer) -> tuple[int, ...]:
        return {"synapse": (layer.n_pre, layer.n_post), "post": (layer.n_post,),
                "pre": (layer.n_pre,), "layer": (),
                "channel": (len(self.kinds or ()),)}[self.per_layer[layer.name]]

    def stored_as(self, name: str) -> str:
        """The per-neuron sharing a layer's coefficients are stored as: 'channel' is stored as 'pre'
        (each input neuron holds its kind's value), the others as they are."""
        return "pre" if self.per_layer[name] == "channel" else self.per_layer[name]

    def per_neuron(self, name: str, block):
        """A block of layer name as the block of an equivalent per-neuron sharing: (block, sharing).
        Sharing 'channel' becomes 'pre' (each input neuron gets its kind's value); others are unchanged."""
        if self.per_layer[name] == "channel":
            return np.asarray(block)[:, self.kind_of], "pre"
        return block, self.per_layer[name]

    def blocks(self):
        """(layer name, coefficient, slice into the genome, block shape) in genome order."""
        for name, c, start, shape in self._blocks:
            yield name, c, slice(start, start + int(np.prod(shape))), shape

    def _check(self, genomes):
        genomes = np.asarray(genomes, dtype=float)
        if genomes.ndim == 1:
            genomes = genomes[None, :]
        if genomes.ndim != 2 or genomes.shape[1] != self.size:
            raise ValueError(f"genomes must have shape (P, {self.size}); got {np.shape(genomes)}")
        return genomes

    def decode(self, genomes) -> dict[str, dict[str, np.ndarray]]:
        """(P, size) genomes -> {layer: {coefficient: (P, n_pre, n_post)}} (broadcast views)."""
        genomes = self._check(genomes)
        P = genomes.shape[0]
        layers = {l.name: l for l in self.layers}
        out: dict[str, dict[str, np.ndarray]] = {l.name: {} for l in self.layers}
        for name, c, sl, shape in self.blocks():
            l = layers[name]
            block, sharing = self.per_neuron(name, genomes[:, sl].reshape((P,) + shape))
            out[name][c] = self.decode_block(block, (P, l.n_pre, l.n_post), sharing)
        return out

    def encode(self, arrays: dict[str, dict[str, np.ndarray]]) -> np.ndarray:
        """Inverse of :meth:`decode`.  Arrays must be constant where the sharing says so."""
        first = next(iter(arrays[self.layers[0].name].values()))
        P = np.shape(first)[0]
        genomes = np.empty((P, self.size))
        for name, c, sl, shape in self.blocks():
            full = np.asarray(arrays[name][c], dtype=float)
            sharing = self.per_layer[name]
            if sharing == "synapse":
                block = full
            elif sharing == "post":
                block = full[:, 0, :]
            elif sharing == "pre":
                block = full[:, :, 0]
            elif sharing == "channel":
                block = full[:, self.first_of_kind, 0]
            else:
                block = full[:, 0, 0]
            per_neuron, as_sharing = self.per_neuron(name, block)
            expanded = self.decode_block(per_neuron, full.shape, as_sharing)
            if not np.array_equal(expanded, full):
                raise ValueError(f"layer '{name}' coefficient '{c}' is not shared per {sharing}")
            genomes[:, sl] = block.reshape(P, -1)
        return genomes

    @staticmethod
    def decode_block(block, full_shape, sharing):
        """One block (P, *block_shape) -> (P, n_pre, n_post), broadcast by the sharing."""
        if sharing == "post":
            block = block[:, None, :]
        elif sharing == "pre":
            block = block[:, :, None]
        elif sharing == "layer":
            block = block[:, None, None]
        return np.broadcast_to(block, full_shape)

    def describe(self) -> list[dict]:
        """The layout as a table (written to the run directory for users)."""
        return [{"layer": n, "coefficient": c, "sharing": self.per_layer[n], "start": sl.start, "stop": sl.stop,
                 "shape": list(shape), **({"kinds": list(self.kinds)} if self.per_layer[n] == "channel" else {})}
                for n, c, sl, shape in self.blocks()]
