"""Quality measures, numpy/torch only: AUC, per-class recall, Frechet distance, nearest neighbours."""
import numpy as np
import torch


def confusion(y_true, y_pred, k):
    m = np.zeros((k, k), dtype=np.int64)                             # rows: truth, cols: prediction
    np.add.at(m, (y_true, y_pred), 1)
    return m


def auc_binary(scores, positive):
    """Area under the ROC curve = P(score of a positive > score of a negative), ties count 1/2
    (Mann-Whitney U with average ranks)."""
    scores, positive = np.asarray(scores, np.float64), np.asarray(positive, bool)
    n_pos, n_neg = positive.sum(), (~positive).sum()
    if n_pos == 0 or n_neg == 0:
        return float("nan")
    order = np.argsort(scores, kind="mergesort")
    ranks = np.empty(len(scores))
    sorted_scores = scores[order]
    i = 0
    while i < len(scores):                                           # average ranks over ties
        j = i
        while j + 1 < len(scores) and sorted_scores[j + 1] == sorted_scores[i]:
            j += 1
        ranks[order[i:j + 1]] = (i + j) / 2 + 1
        i = j + 1
    return float((ranks[positive].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def auc_one_vs_rest(probs, y):
    """Per-class AUC of probs[:, c] for class c against the rest; NaN where a class is absent."""
    return [auc_binary(probs[:, c], y == c) for c in range(probs.shape[1])]


def frechet_distance(a, b):
    """||mu_a - mu_b||^2 + Tr(S_a + S_b - 2 (S_a S_b)^(1/2)) between Gaussians fitted to feature
    sets a (N, D) and b (M, D) (Heusel et al. 2017). Tr((S_a S_b)^(1/2)) = sum sqrt(eig(
    S_a^(1/2) S_b S_a^(1/2))), computed with symmetric eigendecompositions (no scipy)."""
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    mu_a, mu_b = a.mean(0), b.mean(0)
    s_a, s_b = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    w, v = np.linalg.eigh(s_a)
    root_a = (v * np.sqrt(np.clip(w, 0, None))) @ v.T
    m = root_a @ s_b @ root_a
    tr_sqrt = np.sqrt(np.clip(np.linalg.eigvalsh((m + m.T) / 2), 0, None)).sum()
    return float(((mu_a - mu_b) ** 2).sum() + np.trace(s_a) + np.trace(s_b) - 2 * tr_sqrt)


def kernel_distance(a, b):
    """KID (Binkowski et al. 2018): the unbiased squared MMD between feature sets a (N, D) and b (M, D)
    with the cubic polynomial kernel k(x, y) = (x.y / D + 1)^3. Unbiased, so it can come out below 0
    when the sets are alike; src/metrics/frechet.ts's kernelDistance is the same estimator."""
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    if len(a) < 2 or len(b) < 2:
        raise ValueError("the kernel distance needs at least two samples in each set")
    d = a.shape[1]
    kaa, kbb, kab = (a @ a.T / d + 1) ** 3, (b @ b.T / d + 1) ** 3, (a @ b.T / d + 1) ** 3
    m, n = len(a), len(b)
    return float((kaa.sum() - np.trace(kaa)) / (m * (m - 1)) + (kbb.sum() - np.trace(kbb)) / (n * (n - 1))
                 - 2 * kab.mean())


def nearest_distances(queries, reference, chunk=512):
    """Euclidean distance from each query row to its nearest reference row. (N, D), (M, D) -> (N,)"""
    q = torch.as_tensor(queries, dtype=torch.float32).flatten(1)
    r = torch.as_tensor(reference, dtype=torch.float32).flatten(1)
    out = []
    for i in range(0, len(q), chunk):
        out.append(torch.cdist(q[i:i + chunk], r).min(1).values)
    return torch.cat(out).numpy()


def memorisation(generated, heldout, train):
    """Copies check in input space: nearest-training-sample distances of generated samples vs
    those of real held-out samples (which cannot be copies)."""
    d_gen = nearest_distances(generated, train)
    d_held = nearest_distances(heldout, train)
    p1 = float(np.percentile(d_held, 1))
    return {"space": "network input units, Euclidean over all values",
            "medianGeneratedToTrain": float(np.median(d_gen)),
            "medianHeldOutToTrain": float(np.median(d_held)),
            "heldOutFirstPercentile": p1,
            "fractionGeneratedBelowHeldOutFirstPercentile": float((d_gen < p1).mean()),
            "generated": int(len(d_gen)), "heldOut": int(len(d_held)),
            "note": "a low median alone can mean smooth, average-looking samples (they sit near many "
                    "training examples); copies show as a large fraction below the held-out 1st percentile"}


def border_mean(images, width=2):
    """Mean of the outer `width` rows and columns of each (N, H, W, C) image, every channel: the
    brightness of its surround (src/judge/artefacts.ts borderMean is the same measure)."""
    x = np.asarray(images, np.float64)
    h, w = x.shape[1:3]
    ring = np.ones((h, w), bool)
    ring[width:h - width, width:w - width] = False
    return x[:, ring, :].mean(axis=(1, 2))


def frechet_extrapolated(a, b, sizes):
    """FD at infinite N (Chong & Forsyth 2020): FD of the first n rows of both sets for each n of
    `sizes`, a least-squares line in 1/n, and its intercept. Rows must be in random order.
    src/metrics/frechet.ts frechetExtrapolated is the same. -> (intercept, slope, values)"""
    values = np.array([frechet_distance(np.asarray(a)[:n], np.asarray(b)[:n]) for n in sizes])
    x = 1.0 / np.asarray(sizes, np.float64)
    slope = float(((x - x.mean()) * (values - values.mean())).sum() / ((x - x.mean()) ** 2).sum())
    return float(values.mean() - slope * x.mean()), slope, values.tolist()


def compare_sets(a, b, rng, resamples=100):
    """FD and KID of feature sets a and b with 95% normal bootstrap intervals (both sets resampled
    with replacement), and FD at infinite N over five sizes from half the smaller set to all of it,
    rows in random order: src/judge/fidelity.ts compareSets measures the same in the browser."""
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    fds, kids = [], []
    for _ in range(resamples):
        ia, ib = rng.integers(0, len(a), len(a)), rng.integers(0, len(b), len(b))
        fds.append(frechet_distance(a[ia], b[ib]))
        kids.append(kernel_distance(a[ia], b[ib]))
    n = min(len(a), len(b))
    low = max(2, n // 2)
    sizes = sorted({int(round(low + (n - low) * i / 4)) for i in range(5)})
    infinity, _, values = frechet_extrapolated(a[rng.permutation(len(a))], b[rng.permutation(len(b))], sizes)
    # the normal bootstrap interval, estimate +- 1.96 sd: a resample repeats rows, which biases FD upwards,
    # so the resamples' percentiles can lie wholly above the estimate
    fd, kid = frechet_distance(a, b), kernel_distance(a, b)
    ci = lambda est, values, floor=-np.inf: [max(floor, est - 1.959964 * float(np.std(values, ddof=1))),
                                             est + 1.959964 * float(np.std(values, ddof=1))]
    return {"n": [len(a), len(b)], "frechet": fd, "frechetInterval95": ci(fd, fds, 0.0),
            "kid": kid, "kidInterval95": ci(kid, kids),
            "frechetInfinity": infinity, "frechetInfinitySizes": sizes, "frechetAtSizes": values}


def surround_fences(train_border):
    """Tukey's far-out fences (Q1 - 3 IQR, Q3 + 3 IQR) of the training images' border means: outside
    them a surround is unusual (src/judge/artefacts.ts farOutFences is the same)."""
    q1, q3 = np.percentile(np.asarray(train_border, np.float64), [25, 75])
    return float(q1 - 3 * (q3 - q1)), float(q3 + 3 * (q3 - q1))


def surround_outliers(border, fences):
    """Which border means lie beyond the (low, high) fences of surround_fences."""
    border = np.asarray(border, np.float64)
    return (border < fences[0]) | (border > fences[1])
