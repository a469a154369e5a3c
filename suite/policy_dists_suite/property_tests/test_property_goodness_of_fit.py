"""Goodness of fit: the implementation's samples against the reference's distribution.

Every test uses a fixed seed and states its false-failure probability (<= 1e-6 per test, over
the seed's stream taken as random: Bonferroni over the k comparisons inside a test, each at
1e-6 / k) and its power (the smallest error it detects).

- Continuous outputs (TanhGaussian, GMM, Beta; sample and rsample): the Kolmogorov-Smirnov
  statistic of every marginal against the reference CDF, compared with the exact finite-n
  Kolmogorov quantile (scipy.stats.kstwo) at 1e-6 / k. A sample is the exact draw rounded
  (and computed) in the dtype, so it lies within delta(a) of the exact draw; the statistic
  is evaluated conservatively, i/n - F(a_(i) + delta) and F(a_(i) - delta) - (i-1)/n, which
  never exceeds the statistic of the exact draws: its false-failure rate stays <= 1e-6.
- Discrete, DiscreteLikeContinuous (argmax of rsample's one-hot, and sample), Multibinary
  (the 2^d joint outcomes): Pearson's chi-square of the counts against the reference pmf,
  cells with expected count below 100 pooled, at the chi-square quantile 1e-6 / k (with >= 100
  expected per cell the asymptotic quantile is accurate at this tail).
- The noise behind DiscreteLikeContinuous.rsample's backward: the softmax value recovered from
  the straight-through Jacobian gives g_1 - g_0, a difference of two standard Gumbels, which is
  standard logistic: KS against it.
"""

from __future__ import annotations

import types

import numpy as np
import pytest
import torch
from scipy.stats import binom, chi2, kstwo

import policy_dists_reference as reference
from policy_dists_catalogue import SATURATE_HIGH, SATURATE_LOW, error_model
from policy_dists_suite.property_tests.numerics import softmax_from_straight_through_jacobian
from policy_dists_suite.property_tests.registry import CASES_BY_NAME, OutputCase, case_params
from policy_dists_suite.property_tests.strategies import Params, in_dtype

FALSE_FAILURE = 1e-6
N = 100_000
MIN_EXPECTED = 100.0
SEED = 1_000_003


def ks_critical(n: int, comparisons: int) -> float:
    """The exact Kolmogorov D_n quantile at 1e-6 / comparisons (two-sided)."""
    return float(kstwo.isf(FALSE_FAILURE / comparisons, n))


def conservative_ks(samples: np.ndarray, cdf_above: np.ndarray, cdf_below: np.ndarray) -> float:
    """max_i max(i/n - F(a_(i) + delta_i), F(a_(i) - delta_i) - (i - 1)/n) over sorted
    samples: <= the KS statistic of draws each within delta_i of the given ones."""
    order = np.argsort(samples, kind="stable")
    n = len(samples)
    i = np.arange(1, n + 1)
    return float(max(np.max(i / n - cdf_above[order]), np.max(cdf_below[order] - (i - 1) / n)))


def pooled_chi_square(counts: np.ndarray, expected: np.ndarray) -> tuple[float, int]:
    """Pearson's statistic and degrees of freedom after pooling the cells whose expected
    count is below MIN_EXPECTED into one cell (added to the smallest other cell when it is
    still below)."""
    small = expected < MIN_EXPECTED
    cells_c, cells_e = list(counts[~small]), list(expected[~small])
    if small.any():
        pooled_c, pooled_e = counts[small].sum(), expected[small].sum()
        if pooled_e >= MIN_EXPECTED or not cells_e:
            cells_c.append(pooled_c)
            cells_e.append(pooled_e)
        else:
            k = int(np.argmin(cells_e))
            cells_c[k] += pooled_c
            cells_e[k] += pooled_e
    c, e = np.asarray(cells_c, float), np.asarray(cells_e, float)
    return float(((c - e) ** 2 / e).sum()), len(c) - 1


# ---- continuous outputs ----

LOW, HIGH = SATURATE_LOW, SATURATE_HIGH
CONTINUOUS: dict[str, tuple[dict, list[list[float]]]] = {
    # d = 4: (mu, raw std) = (0, 0), (3, std_low), (-1, std_high), (0.5, -1)
    "TanhGaussian": ({"d_action": 4}, [[0.0, 3.0, -1.0, 0.5, 0.0, LOW, HIGH, -1.0]]),
    # d = 2, M = 3: separated modes with flat logits; near-one-hot logits at std_low;
    # identical modes
    "GMM": (
        {"d_action": 2, "gmm_modes": 3},
        [
            [-3.0, -3.0, 0.0, 0.0, 3.0, 3.0] + [0.0] * 6 + [0.0, 0.0, 0.0],
            [-3.0, 1.0, 0.0, 0.0, 3.0, -1.0] + [LOW] * 6 + [0.0, 0.0, 30.0],
            [0.5, -0.5] * 3 + [0.0] * 6 + [1.0, -1.0, 0.0],
        ],
    ),
    # d = 4: (alpha, beta) at (low, low), (~50, ~50), (low, ~50), (~1e3, low)
    "Beta": ({"d_action": 4}, [[LOW, 50.0, LOW, 1e3, LOW, 50.0, 50.0, LOW]]),
}


def _rounding_delta(
    case: OutputCase, params: Params, a: np.ndarray, dtype: torch.dtype
) -> np.ndarray:
    """How far a sample can lie from the exact draw (delta(a) of the module docstring):
    tanh outputs: TANH_ULPS ulps of a from tanh's rounding, plus the rounding of
    u = mu + sigma e (2 eps |u|) moved by da/du = 1 - a^2, |u| <= U = max |mu| + 10 max sigma
    (P(|e| > 10) = 1.5e-23 per draw);
    Beta: x = X / (X + Y) from two Gamma draws carries <= 8 roundings relative to x, and
    a = 2x - 1 one more: 8 eps (x <= 1) + ulp(a)."""
    e = error_model.eps(dtype)
    ulp = error_model.ulp(a, dtype)
    if case.name == "Beta":
        return 8 * e + ulp
    ref = case.drawn_reference(params)
    p = ref.params(params.vec, np.float64)
    if case.name == "TanhGaussian":
        reach = np.abs(p.mu) + 10 * p.sigma
    else:
        reach = (np.abs(p.means) + 10 * p.stds).max(-2)
    return error_model.TANH_ULPS.units * ulp + 2 * e * (1 - a * a) * reach


def _reference_cdf(ref: object, params: Params, a: np.ndarray) -> np.ndarray:
    """The reference's marginal CDF at a clipped to [-1, 1]. Evaluated with dtype float64: the
    settings' parameters involve no bound that rounds to the dtype (no softplus `high`), so
    they are the same numbers."""
    return ref.cdf(params.vec, np.clip(a, -1.0, 1.0), np.float64)


@pytest.mark.parametrize("case", case_params(tuple(CASES_BY_NAME[n] for n in CONTINUOUS)))
def test_continuous_marginals_match_the_reference_cdf(
    impl: types.ModuleType, case: OutputCase, dtype: torch.dtype, device: torch.device
) -> None:
    """KS per marginal (rows x dimensions x {sample, rsample where it exists}) at n = 1e5.

    False failure <= 1e-6 (module docstring). Power: with k comparisons the critical value is
    D* = kstwo.isf(1e-6/k, 1e5) ~ sqrt(ln(2k/1e-6)/(2n)) = 0.009 (k = 8); a marginal CDF off
    by sup |F' - F| >= 2 D* + max_a p(a) delta(a) is detected with probability >= 1 - 1e-6:
    for a Gaussian pre-squash that is a location error of 0.045 sigma or a scale error of
    4%, and for the Beta a shift of the mean by ~0.05 standard deviations.
    """
    kwargs, rows = CONTINUOUS[case.name]
    params = Params(kwargs, in_dtype(rows, dtype))
    ref = case.drawn_reference(params)
    dist = case.drawn_distribution(impl, params, params.tensor(dtype, device))
    torch.manual_seed(SEED)
    draws = {"sample": dist.sample((N,))}
    if case.name != "GMM":
        draws["rsample"] = dist.rsample((N,))
    n_marginals = int(np.prod(draws["sample"].shape[1:]))
    critical = ks_critical(N, len(draws) * n_marginals)
    for how, draw in draws.items():
        a = draw.detach().cpu().double().numpy()
        delta = _rounding_delta(case, params, a, dtype)
        above = _reference_cdf(ref, params, a + delta).reshape(N, -1)
        below = _reference_cdf(ref, params, a - delta).reshape(N, -1)
        flat = a.reshape(N, -1)
        stats = [conservative_ks(flat[:, j], above[:, j], below[:, j]) for j in range(n_marginals)]
        worst = int(np.argmax(stats))
        assert max(stats) <= critical, (
            f"{case.name} {how} marginal {worst}: got KS statistic {stats[worst]:.4g} against "
            f"the reference CDF, expected <= {critical:.4g} (false-failure rate {FALSE_FAILURE:g}"
            f"), vec={params.vec.reshape(-1, params.vec.shape[-1])[0]}"
        )


# ---- discrete outputs ----

CATEGORICAL_ROWS = [
    [30.0, 0.0, 0.0, 0.0, 0.0, 0.0],  # near-one-hot: the clips hold the rest at ~0.001
    [0.0] * 6,  # flat
    [5.0, 2.0, 0.0, -2.0, -5.0, -20.0],  # spread
]


def _chi_square_rows(counts: np.ndarray, pmf: np.ndarray, n: int, what: str) -> None:
    """One chi-square test per row, Bonferroni over the rows and the callers' repetitions.

    A row whose pmf leaves fewer than MIN_EXPECTED expected draws outside one class (a peer
    library's unclipped near-one-hot logits: p = 5e-13 per other class) has no degree of
    freedom left: its other classes' total count is checked against the exact binomial
    quantile at the same rate instead (a rate of drawing them >= (quantile + 1)/n fails)."""
    for row_counts, row_pmf in zip(counts, pmf, strict=True):
        statistic, df = pooled_chi_square(row_counts, n * row_pmf)
        if df == 0:
            rare = n * row_pmf < MIN_EXPECTED
            drawn, p_rare = int(row_counts[rare].sum()), float(row_pmf[rare].sum())
            most = float(binom.isf(FALSE_FAILURE / CHI_SQUARE_COMPARISONS, n, p_rare))
            assert drawn <= most, (
                f"{what}: got {drawn} draws of the classes of total probability {p_rare:.3g} "
                f"(counts {row_counts.tolist()}), expected <= {most:g} in n = {n}"
            )
            continue
        critical = float(chi2.isf(FALSE_FAILURE / CHI_SQUARE_COMPARISONS, df))
        assert statistic <= critical, (
            f"{what}: got chi-square {statistic:.4g} (df {df}) for counts {row_counts.tolist()}, "
            f"expected <= {critical:.4g} against n p = {np.round(n * row_pmf, 2).tolist()}"
        )


# Comparisons per test: 3 rows x {sample, rsample} (the most of any test below).
CHI_SQUARE_COMPARISONS = 6


def _counts(index: np.ndarray, d: int) -> np.ndarray:
    """Per row (axis 1 of index (n, rows)), the count of every class."""
    return np.stack([np.bincount(index[:, r], minlength=d) for r in range(index.shape[1])])


@pytest.mark.parametrize(
    "case", case_params(tuple(CASES_BY_NAME[n] for n in ("Discrete", "DiscreteLikeContinuous")))
)
def test_categorical_frequencies_match_the_reference_pmf(
    impl: types.ModuleType, case: OutputCase, dtype: torch.dtype, device: torch.device
) -> None:
    """Counts of sample() (and of the argmax of DiscreteLikeContinuous.rsample(), the
    straight-through forward) over n = 1e5 per row, chi-square with df <= 5 at 1e-6/6.

    False failure <= 1e-6. Power: the critical value is 39.8 (df 5); a pmf off by Delta in
    one class (and -Delta spread over others) has non-centrality lambda ~ n Delta^2 / p,
    detected with probability >= 1/2 at lambda = 35.7 and >= 1 - 1e-6 at lambda = 117, i.e.
    Delta >= 0.019 sqrt(p) (0.0006 at the clip floor p = 0.001, 0.008 at p = 1/6), resp.
    Delta >= 0.034 sqrt(p).
    """
    d = 6
    params = Params({"d_action": d}, in_dtype(CATEGORICAL_ROWS, dtype))
    ref = case.drawn_reference(params)
    pmf = ref.pmf(params.vec, {torch.float32: np.float32, torch.float64: np.float64}[dtype])
    torch.manual_seed(SEED)
    dist = case.drawn_distribution(impl, params, params.tensor(dtype, device))
    sample = dist.sample((N,)).cpu().numpy()
    index = sample[..., 0] if case.name == "Discrete" else sample.argmax(-1)
    _chi_square_rows(_counts(index, d), pmf, N, f"{case.name} sample class frequencies")
    if case.name == "DiscreteLikeContinuous":
        # rsample() takes no shape on the seed page: one draw per row of a repeated batch.
        repeated = params.tensor(dtype, device).repeat(N, 1)
        forward = case.drawn_distribution(impl, params, repeated).rsample().detach().cpu().numpy()
        index = forward.argmax(-1).reshape(N, len(CATEGORICAL_ROWS))
        _chi_square_rows(_counts(index, d), pmf, N, f"{case.name} rsample class frequencies")


MULTIBINARY_ROWS = [[0.0, 2.0, -1.0], [30.0, -3.0, 0.5]]


def test_multibinary_joint_frequencies_match_the_reference_pmf(
    impl: types.ModuleType, dtype: torch.dtype, device: torch.device
) -> None:
    """The 8 joint outcomes of d = 3 independent Bernoullis per row (independence included),
    chi-square (cells below 100 expected pooled) at 1e-6/6 over n = 1e5 per row.

    False failure <= 1e-6. Power: critical value 44.6 at df 7; an error Delta in a marginal
    probability p is detected with probability >= 1/2 once n Delta^2 / (p (1 - p)) >= 38.5,
    i.e. Delta >= 0.02 sqrt(p (1 - p)) (0.01 at p = 1/2), and with probability >= 1 - 1e-6
    at Delta >= 0.035 sqrt(p (1 - p)).
    """
    params = Params({"d_action": 3}, in_dtype(MULTIBINARY_ROWS, dtype))
    ref = reference.Multibinary(3)
    per_dim = ref.pmf(params.vec, np.float64)  # (rows, 3, 2)
    outcomes = np.array([[(k >> j) & 1 for j in range(3)] for k in range(8)])  # (8, 3)
    joint = np.prod(
        np.take_along_axis(per_dim[:, None, :, :], outcomes[None, :, :, None], axis=-1)[..., 0],
        axis=-1,
    )  # (rows, 8)
    torch.manual_seed(SEED)
    dist = impl.Multibinary(3)(params.tensor(dtype, device))
    sample = dist.sample((N,)).cpu().numpy().astype(np.int64)  # (n, rows, 3)
    index = (sample * (1 << np.arange(3))).sum(-1)
    _chi_square_rows(_counts(index, 8), joint, N, "Multibinary sample joint frequencies")


# ---- the backward's noise ----

NOISE_DRAWS = 20_000


def test_straight_through_noise_is_gumbel(
    impl: types.ModuleType, dtype: torch.dtype, device: torch.device
) -> None:
    """g_1 - g_0 = tau (log y_1 - log y_0) - (logit_1 - logit_0), from the softmax value y the
    backward's Jacobian gives, is standard logistic when the noise is i.i.d. Gumbel; KS at
    n = 2e4 against the logistic CDF (one comparison).

    The recovered value is off by <= delta = 2 tau (64 + 32 (d - 1)) eps (GRAD's 32 relative
    roundings per Jacobian entry, doubled by the root, and the winner's 1 - sum), taken
    conservatively as for the continuous outputs. False failure <= 1e-6. Power: D* =
    kstwo.isf(1e-6, 2e4) ~ 0.019; noise scaled by (1 + s) or shifted by m between the two
    classes is detected with probability >= 1 - 1e-6 once sup |F' - F| >= 2 D*, i.e. |m| >=
    0.16 or |s| >= 0.1.
    """
    tau, d = 0.5, 3
    logits = torch.tensor([[0.3, -0.4, 1.0]], dtype=dtype, device=device).repeat(NOISE_DRAWS, 1)
    logits.requires_grad_()
    torch.manual_seed(SEED)
    dlc = impl.DiscreteLikeContinuous(
        torch.distributions.Categorical(logits=logits), gumbel_softmax_temperature=tau
    )
    sample = dlc.rsample()
    rows = [torch.autograd.grad(sample[:, i].sum(), logits, retain_graph=True)[0] for i in range(d)]
    jacobian = torch.stack(rows, dim=-2).cpu().double().numpy()
    winner = sample.detach().cpu().numpy().argmax(-1)
    y = softmax_from_straight_through_jacobian(jacobian, tau, winner)
    values = logits.detach().cpu().double().numpy()
    z = tau * (np.log(y[:, 1]) - np.log(y[:, 0])) - (values[:, 1] - values[:, 0])
    noise_eps = error_model.eps(torch.promote_types(dtype, torch.float32))
    delta = 2 * tau * (64 + 32 * (d - 1)) * noise_eps
    logistic = lambda t: 1 / (1 + np.exp(-t))  # noqa: E731
    statistic = conservative_ks(z, logistic(z + delta), logistic(z - delta))
    critical = ks_critical(NOISE_DRAWS, 1)
    assert statistic <= critical, (
        f"DiscreteLikeContinuous rsample Gumbel noise: got KS statistic {statistic:.4g} against "
        f"the logistic difference of two Gumbels, expected <= {critical:.4g}"
    )
