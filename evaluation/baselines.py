"""The baselines, fitted on the training rows only: popularity, the write-up's static weights, item-kNN, ALS.

Every baseline scores (user, candidate items) with numpy; the harness ranks the scores. The user-item
matrix has one row per user and one column per catalogue item (`TrainingMatrix`).

* ``popularity``: distinct training users per item.
* ``static_weights``: the write-up's section 3.2.2 weight per interaction type (``sync.weights``: view 0.1,
  like 0.3, comment 0.5, share 0.7, save 0.6, create 1.0), summed per item over the training rows: a
  weighted, undecayed popularity, the same for every user.
* ``item_knn``: cosine similarity between item columns of the binary user-item matrix, each item keeping its
  `neighbours` most similar items; a user's score for an item is the sum of its similarities to the user's
  training items.
* ``als``: implicit-feedback matrix factorisation (Hu, Koren and Volinsky 2008) from the `implicit` package,
  on the matrix of summed static weights (confidence 1 + alpha * weight); score = user factors · item factors.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt
from scipy import sparse

from evaluation.dataset import Interaction
from sync.weights import DEFAULT_CONTENT_WEIGHTS

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

STATIC_WEIGHTS: Mapping[str, float] = dict(DEFAULT_CONTENT_WEIGHTS)


class Scorer(Protocol):
    """Scores of `items` (catalogue indices) for the user at `user` (matrix row)."""

    name: str

    def score(self, user: int, items: IntArray) -> FloatArray: ...


@dataclass
class TrainingMatrix:
    """The training rows as a users x items matrix; `catalogue` fixes the columns (every dataset item)."""

    users: list[str]
    items: list[str]
    weighted: Any  # scipy.sparse.csr_matrix of summed static weights
    binary: Any  # scipy.sparse.csr_matrix, 1 where the user has any training row on the item
    user_index: dict[str, int] = field(default_factory=dict)
    item_index: dict[str, int] = field(default_factory=dict)

    @classmethod
    def build(
        cls,
        train: Iterable[Interaction],
        users: Sequence[str],
        catalogue: Sequence[str],
        weights: Mapping[str, float] = STATIC_WEIGHTS,
    ) -> TrainingMatrix:
        user_index = {u: i for i, u in enumerate(users)}
        item_index = {it: i for i, it in enumerate(catalogue)}
        rows: list[int] = []
        cols: list[int] = []
        vals: list[float] = []
        for r in train:
            rows.append(user_index[r.user_id])
            cols.append(item_index[r.item_id])
            vals.append(float(weights.get(r.kind, 0.1)))
        shape = (len(users), len(catalogue))
        weighted = sparse.csr_matrix((np.asarray(vals, dtype=np.float64), (rows, cols)), shape=shape)
        weighted.sum_duplicates()
        binary = weighted.copy()
        binary.data = np.ones_like(binary.data)
        return cls(list(users), list(catalogue), weighted, binary, user_index, item_index)

    def seen(self, user: int) -> IntArray:
        """Catalogue indices of the items the user has training rows on."""
        start, end = self.binary.indptr[user], self.binary.indptr[user + 1]
        return np.asarray(self.binary.indices[start:end], dtype=np.int64)


class Popularity:
    """Distinct training users per item."""

    name = "popularity"

    def __init__(self, matrix: TrainingMatrix) -> None:
        self.values: FloatArray = np.asarray(matrix.binary.sum(axis=0), dtype=np.float64).ravel()

    def score(self, user: int, items: IntArray) -> FloatArray:
        return self.values[items]


class StaticWeights:
    """Summed write-up weights per item (section 3.2.2)."""

    name = "static_weights"

    def __init__(self, matrix: TrainingMatrix) -> None:
        self.values: FloatArray = np.asarray(matrix.weighted.sum(axis=0), dtype=np.float64).ravel()

    def score(self, user: int, items: IntArray) -> FloatArray:
        return self.values[items]


def top_k_rows(matrix: Any, k: int) -> Any:
    """Keep each row's `k` largest entries (ties: lower column first) of a CSR matrix."""
    m = sparse.csr_matrix(matrix)
    indptr = [0]
    indices: list[IntArray] = []
    data: list[FloatArray] = []
    for row in range(m.shape[0]):
        start, end = m.indptr[row], m.indptr[row + 1]
        cols = np.asarray(m.indices[start:end], dtype=np.int64)
        vals = np.asarray(m.data[start:end], dtype=np.float64)
        if len(vals) > k:
            order = np.lexsort((cols, -vals))[:k]
            cols, vals = cols[order], vals[order]
        indices.append(cols)
        data.append(vals)
        indptr.append(indptr[-1] + len(cols))
    return sparse.csr_matrix(
        (np.concatenate(data) if data else np.zeros(0), np.concatenate(indices) if indices else np.zeros(0, int),
         np.asarray(indptr)),
        shape=m.shape,
    )


class ItemKNN:
    """Cosine item-item similarity over the binary user-item matrix, `neighbours` per item."""

    name = "item_knn"

    def __init__(self, matrix: TrainingMatrix, neighbours: int = 100) -> None:
        b = sparse.csc_matrix(matrix.binary, dtype=np.float64)
        norms = np.sqrt(np.asarray(b.multiply(b).sum(axis=0), dtype=np.float64).ravel())
        inv = np.divide(1.0, norms, out=np.zeros_like(norms), where=norms > 0)
        normalised = b @ sparse.diags(inv)
        sim = sparse.csr_matrix(normalised.T @ normalised)
        sim.setdiag(0.0)
        sim.eliminate_zeros()
        # neighbours of item j (row j); a user's score for item i sums sim[j, i] over their items j
        self.similarity = top_k_rows(sim, neighbours)
        self.matrix = matrix

    def score(self, user: int, items: IntArray) -> FloatArray:
        row = self.matrix.binary[user] @ self.similarity
        dense = np.asarray(row.toarray(), dtype=np.float64).ravel()
        return dense[items]


@dataclass(frozen=True)
class AlsParams:
    """Hyper-parameters of the ALS baseline (the `implicit` package's names)."""

    factors: int = 64
    regularization: float = 0.05
    alpha: float = 10.0
    iterations: int = 20
    random_state: int = 42


class Als:
    """Implicit-feedback ALS (`implicit.als.AlternatingLeastSquares`, CPU) on the summed static weights."""

    name = "als"

    def __init__(self, matrix: TrainingMatrix, params: AlsParams = AlsParams(), *, num_threads: int = 0) -> None:
        from implicit.als import AlternatingLeastSquares  # the `eval` extra
        from threadpoolctl import threadpool_limits

        # implicit's own threads do the work: BLAS threads nested inside them only slow it down (and it warns)
        with threadpool_limits(1, "blas"):
            model = AlternatingLeastSquares(
                factors=params.factors,
                regularization=params.regularization,
                alpha=params.alpha,
                iterations=params.iterations,
                random_state=params.random_state,
                use_gpu=False,
                num_threads=num_threads,
            )
            model.fit(sparse.csr_matrix(matrix.weighted, dtype=np.float32), show_progress=False)
        self.user_factors: FloatArray = np.asarray(model.user_factors, dtype=np.float64)
        self.item_factors: FloatArray = np.asarray(model.item_factors, dtype=np.float64)

    def score(self, user: int, items: IntArray) -> FloatArray:
        return np.asarray(self.item_factors[items] @ self.user_factors[user], dtype=np.float64)


def fit_baselines(
    matrix: TrainingMatrix,
    *,
    neighbours: int = 100,
    als: AlsParams | None = AlsParams(),
) -> list[Scorer]:
    """The four baselines in report order (`als=None` leaves ALS out)."""
    out: list[Scorer] = [Popularity(matrix), StaticWeights(matrix), ItemKNN(matrix, neighbours)]
    if als is not None:
        out.append(Als(matrix, als))
    return out
