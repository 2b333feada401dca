"""How well detected communities recover planted ones: adjusted Rand index and normalised mutual information.

Pure functions over two equally long label sequences (no scikit-learn needed). NMI uses the arithmetic
mean of the two entropies, as scikit-learn's default does.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Hashable, Sequence


def _check(truth: Sequence[Hashable], found: Sequence[Hashable]) -> None:
    if len(truth) != len(found):
        raise ValueError(f"label sequences differ in length: {len(truth)} != {len(found)}")


def _pairs(n: int) -> float:
    return n * (n - 1) / 2.0


def adjusted_rand_index(truth: Sequence[Hashable], found: Sequence[Hashable]) -> float:
    """ARI: 1 for identical partitions (up to renaming), about 0 for chance agreement, can be negative."""
    _check(truth, found)
    n = len(truth)
    if n < 2:
        return 1.0
    contingency = Counter(zip(truth, found, strict=True))
    index = sum(_pairs(c) for c in contingency.values())
    rows = sum(_pairs(c) for c in Counter(truth).values())
    cols = sum(_pairs(c) for c in Counter(found).values())
    expected = rows * cols / _pairs(n)
    maximum = (rows + cols) / 2.0
    if maximum == expected:  # both partitions trivial (all one cluster, or all singletons)
        return 1.0
    return (index - expected) / (maximum - expected)


def _entropy(counts: Counter[Hashable], n: int) -> float:
    return -sum((c / n) * math.log(c / n) for c in counts.values() if c)


def normalized_mutual_info(truth: Sequence[Hashable], found: Sequence[Hashable]) -> float:
    """NMI in [0, 1]: mutual information over the mean of the two entropies."""
    _check(truth, found)
    n = len(truth)
    if n == 0:
        return 1.0
    t_counts, f_counts = Counter(truth), Counter(found)
    h_t, h_f = _entropy(t_counts, n), _entropy(f_counts, n)
    if h_t == 0.0 and h_f == 0.0:
        return 1.0
    mutual = 0.0
    for (t, f), c in Counter(zip(truth, found, strict=True)).items():
        mutual += (c / n) * math.log(c * n / (t_counts[t] * f_counts[f]))
    mean = (h_t + h_f) / 2.0
    return max(0.0, min(1.0, mutual / mean)) if mean else 0.0
