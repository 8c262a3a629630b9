"""An index definition turned into numpy arrays, once, so that scoring is array arithmetic.

Weights are normalised here (within each dimension, and across dimensions), so scaling every
weight by a constant changes nothing; the log transform is applied to the goalposts here too.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from knowledge.indices import IndexDefinition

_CACHE: dict[int, CompiledIndex] = {}
_CACHE_LIMIT = 32


@dataclass(frozen=True, eq=False)
class CompiledIndex:
    definition: IndexDefinition
    ids: tuple[str, ...]
    low: np.ndarray            # (m,) low goalpost, after the transform
    span: np.ndarray           # (m,) high - low, after the transform
    log_cols: np.ndarray       # column numbers with a log transform
    negative: np.ndarray       # (m,) bool: lower is better
    capped_cols: np.ndarray    # column numbers clipped to [0, 1]
    valid_min: np.ndarray      # (m,) -inf when unbounded
    valid_max: np.ndarray      # (m,) +inf when unbounded
    required: np.ndarray       # (m,) bool
    dim_of: np.ndarray         # (m,) dimension number of each indicator
    w_within: np.ndarray       # (m,) weight within its dimension, summing to 1 per dimension
    dim_weights: np.ndarray    # (d,) summing to 1
    arithmetic: np.ndarray     # (m, d) weight matrix of the arithmetic dimensions (zero columns elsewhere)
    geometric_dims: tuple[tuple[int, np.ndarray, np.ndarray], ...]  # (dimension, columns, weights)
    index_geometric: bool
    effective_weight: np.ndarray  # (m,) dimension weight x weight within dimension
    raw_target: np.ndarray     # (m,) raw value at the good goalpost (what "raise to goalpost" means)
    cutoff: np.ndarray         # (m,) adequacy cutoff, NaN when none
    counting_weight: np.ndarray  # (m,) over indicators with a cutoff, summing to 1 (zeros when no counting)
    k: float | None

    @property
    def m(self) -> int:
        return len(self.ids)

    @property
    def d(self) -> int:
        return len(self.dim_weights)


def _compile(defn: IndexDefinition) -> CompiledIndex:
    inds = defn.indicators
    dim_pos = {d.id: n for n, d in enumerate(defn.dimensions)}
    m, d = len(inds), len(defn.dimensions)
    log = np.array([i.transform == "log" for i in inds])
    lo = np.array([i.goalposts.low for i in inds], dtype=float)
    hi = np.array([i.goalposts.high for i in inds], dtype=float)
    lo_t, hi_t = lo.copy(), hi.copy()
    lo_t[log], hi_t[log] = np.log(lo[log]), np.log(hi[log])
    negative = np.array([i.direction == "negative" for i in inds])
    dim_of = np.array([dim_pos[i.dimension] for i in inds], dtype=np.intp)
    w = np.array([i.weight for i in inds], dtype=float)
    w_within = np.zeros(m)
    for k in range(d):
        sel = dim_of == k
        w_within[sel] = w[sel] / w[sel].sum()
    dw = np.array([x.weight for x in defn.dimensions], dtype=float)
    dim_weights = dw / dw.sum()
    arithmetic = np.zeros((m, d))
    geometric = []
    for k, dim in enumerate(defn.dimensions):
        cols = np.flatnonzero((dim_of == k) & (w_within > 0))
        if dim.aggregation == "arithmetic":
            arithmetic[cols, k] = w_within[cols]
        else:
            geometric.append((k, cols, w_within[cols]))
    cutoff = np.array([np.nan if i.adequacy_cutoff is None else i.adequacy_cutoff for i in inds])
    eff = dim_weights[dim_of] * w_within
    cw = np.where(np.isnan(cutoff), 0.0, eff) if defn.counting is not None else np.zeros(m)
    if cw.sum() > 0:
        cw = cw / cw.sum()
    return CompiledIndex(
        definition=defn, ids=tuple(i.id for i in inds), low=lo_t, span=hi_t - lo_t,
        log_cols=np.flatnonzero(log), negative=negative,
        capped_cols=np.flatnonzero([i.goalposts.cap for i in inds]),
        valid_min=np.array([-np.inf if i.valid_range.min is None else i.valid_range.min for i in inds]),
        valid_max=np.array([np.inf if i.valid_range.max is None else i.valid_range.max for i in inds]),
        required=np.array([i.required for i in inds]),
        dim_of=dim_of, w_within=w_within, dim_weights=dim_weights, arithmetic=arithmetic,
        geometric_dims=tuple(geometric), index_geometric=defn.aggregation.method == "geometric",
        effective_weight=eff, raw_target=np.where(negative, lo, hi), cutoff=cutoff,
        counting_weight=cw, k=None if defn.counting is None else defn.counting.k,
    )


def compile_index(defn: IndexDefinition) -> CompiledIndex:
    """The compiled form of `defn`, cached per definition object."""
    hit = _CACHE.get(id(defn))
    if hit is not None and hit.definition is defn:
        return hit
    if len(_CACHE) >= _CACHE_LIMIT:
        _CACHE.clear()
    compiled = _CACHE[id(defn)] = _compile(defn)
    return compiled
