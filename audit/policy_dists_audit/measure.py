"""Measure one implementation against the mpmath arbiter, point by point.

Error measures (SPEC §7): ``ulps``, |y - y*| in units of the dtype's spacing at y*;
``cond``, |y - y*| / max(eps S, ulp(y*)) with S the sum of magnitudes of the formula's terms
(given by the arbiter) -- the ulp floor because no result can beat correct rounding, which
matters where S underflows (a Bernoulli log-prob of -1e-4343); ``grad``, the mixed
normwise error of the gradient with respect to vec and the action beyond the rounding R_i of
the pre-squash x = atanh a that no evaluation in the dtype avoids (error_model.
GRADIENT_ROUNDING; 0 for outputs without a squash),
max_i max(|g_i - g*_i| - R_i, 0) / (eps max(1, max_i |g*_i|)): relative for large gradients,
absolute for those below 1, whose components are often differences of O(1) terms (a clipped
softmax).
A value is ``nonfinite`` when it is NaN, or infinite where the exact value is finite.
"""

from __future__ import annotations

import math
import types
from dataclasses import asdict, dataclass

import numpy as np
import torch

import policy_dists_reference as reference
from policy_dists_audit.boundary_points import boundary_actions, distance_to_boundary
from policy_dists_audit.scenarios import Scenario
from policy_dists_catalogue import error_model
from policy_dists_catalogue.adapters import ADAPTERS
from policy_dists_reference import arbiter

NUMPY_DTYPES = {torch.float32: np.float32, torch.float64: np.float64}


@dataclass
class Point:
    """One compared value."""

    output: str
    setting: str
    dtype: str
    device: str
    quantity: str  # log_prob | entropy | probs | own_sample
    action: float | None
    distance: float | None  # 1 - |a|
    value: float
    exact: float
    ulps: float
    cond: float | None
    grad: float | None
    nonfinite: bool

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class ClipReport:
    """How far clipping moves log_prob from the exact density, per setting."""

    output: str
    setting: str
    dtype: str
    device: str
    max_distortion_nats: float  # max |clipped log_prob - exact log density at a|, |a| < 1
    mass_beyond_clip: float  # probability that |a| exceeds the clip bound

    def as_dict(self) -> dict:
        return asdict(self)


def _nonfinite(value: float, exact: float, dtype: np.dtype) -> bool:
    if math.isnan(value):
        return True
    finite_exact = abs(exact) <= float(np.finfo(dtype).max)
    return math.isinf(value) and finite_exact


def _grad_error(got: np.ndarray, exact: np.ndarray, rounding: np.ndarray, eps: float) -> float:
    scale = max(1.0, float(np.max(np.abs(exact)))) if exact.size else 1.0
    beyond = np.maximum(np.abs(got - exact) - rounding, 0.0)
    diff = float(np.max(beyond)) if exact.size else 0.0
    if np.isnan(diff):
        return math.inf
    return diff / (eps * scale)


class Auditor:
    """Builds the implementation's and the reference's version of each output and compares."""

    def __init__(self, impl: types.ModuleType, device: torch.device, dtype: torch.dtype) -> None:
        self.impl = impl
        self.device = device
        self.dtype = dtype
        self.np_dtype = np.dtype(NUMPY_DTYPES[dtype])
        self.eps = float(np.finfo(self.np_dtype).eps)

    def _point(self, scenario: Scenario, setting: str, quantity: str, **fields: object) -> Point:
        return Point(
            output=scenario.output,
            setting=setting,
            dtype=str(self.np_dtype),
            device=str(self.device),
            quantity=quantity,
            **fields,
        )

    def _tensor(self, array: np.ndarray, grad: bool = False) -> torch.Tensor:
        return torch.tensor(array, dtype=self.dtype, device=self.device, requires_grad=grad)

    def _values(
        self,
        scenario: Scenario,
        setting: str,
        quantity: str,
        got: np.ndarray,
        exact: arbiter.ExactArrays,
        grads: np.ndarray | None,
        actions: np.ndarray | None,
        rounding: np.ndarray | None = None,
    ) -> list[Point]:
        values = exact.float64()
        ulps = arbiter.error_ulps(got, exact.value, self.np_dtype)
        cond = (
            arbiter.error_cond(got, exact.value, exact.cond, self.np_dtype)
            if exact.cond is not None
            else None
        )
        points = []
        for i in np.ndindex(got.shape):
            grad_error = None
            # Where the exact value is not finite (the log-density's -inf at |a| = 1 of an
            # output that clips nothing) no finite gradient is owed: no gradient error.
            if grads is not None and math.isfinite(float(values.value[i])):
                want = [values.grad_vec[i[0]]]
                if values.grad_action is not None:
                    want.append(values.grad_action[i[0]])
                bound = 0.0 if rounding is None else rounding[i[0]]
                grad_error = _grad_error(grads[i[0]], np.concatenate(want), bound, self.eps)
            action = None if actions is None else float(actions[i[0]])
            points.append(
                self._point(
                    scenario,
                    setting,
                    quantity,
                    action=action,
                    distance=None
                    if action is None
                    else float(distance_to_boundary(np.array(action))),
                    value=float(got[i]),
                    exact=float(values.value[i]),
                    ulps=float(ulps[i]),
                    cond=None if cond is None else min(float(cond[i]), float(ulps[i])),
                    grad=grad_error,
                    nonfinite=_nonfinite(float(got[i]), float(values.value[i]), self.np_dtype),
                )
            )
        return points

    def build(self, scenario: Scenario, vec: torch.Tensor):
        return ADAPTERS[scenario.output].distribution(self.impl, scenario.kwargs, vec)

    def continuous(self, scenario: Scenario) -> tuple[list[Point], list[ClipReport]]:
        adapter = ADAPTERS[scenario.output]
        ref = adapter.reference(scenario.kwargs)
        unclipped = adapter.reference({**scenario.kwargs, "clip_actions_on_log_prob": (-1.0, 1.0)})
        point_fn = adapter.arbiter.log_prob
        actions = boundary_actions(self.np_dtype.type)
        points: list[Point] = []
        clips: list[ClipReport] = []
        for setting, row in zip(scenario.settings, scenario.vec_rows(), strict=True):
            vec_np = np.broadcast_to(row.astype(self.np_dtype), (len(actions), row.size)).copy()
            vec = self._tensor(vec_np, grad=True)
            act = self._tensor(actions.reshape(-1, 1), grad=True)
            lp = self.build(scenario, vec).log_prob(act).reshape(len(actions), 1)
            grad_vec, grad_act = torch.autograd.grad(lp.sum(), (vec, act))
            grads = torch.cat((grad_vec, grad_act), dim=-1).detach().cpu().double().numpy()
            inside = np.clip(actions, -1.0, 1.0).reshape(-1, 1)
            exact = arbiter.sweep(point_fn, ref, vec_np, inside, dtype=self.np_dtype)
            got = lp.detach().cpu().double().numpy()
            rounding = self._gradient_rounding(scenario, ref, vec_np, actions)
            points += self._values(
                scenario, setting.name, "log_prob", got, exact, grads, actions, rounding
            )
            clips.append(
                self._clip_report(scenario, setting.name, ref, unclipped, row, actions, got)
            )
        points += self.own_samples(scenario, ref)
        return points, clips

    def _gradient_rounding(
        self, scenario: Scenario, ref: object, vec_np: np.ndarray, actions: np.ndarray
    ) -> np.ndarray | None:
        bound = error_model.GRADIENT_ROUNDING.get(scenario.output)
        if bound is None:
            return None
        vec = vec_np.astype(np.float64)
        return bound(ref, vec, actions.reshape(-1, 1).astype(np.float64), self.np_dtype)

    def _clip_report(
        self,
        scenario: Scenario,
        setting: str,
        ref: object,
        unclipped: object,
        row: np.ndarray,
        actions: np.ndarray,
        got: np.ndarray,
    ) -> ClipReport:
        low, high = ref.clip_bounds(self.np_dtype)
        vec = row.astype(self.np_dtype).reshape(1, -1)
        beyond = (np.abs(actions) < 1.0) & ((actions > high) | (actions < low))
        distortion = 0.0
        if beyond.any():
            exact = unclipped.log_prob(vec, actions[beyond].reshape(-1, 1), self.np_dtype)
            distortion = float(np.max(np.abs(got[beyond].ravel() - np.asarray(exact).ravel())))
        cdf = lambda a: float(np.asarray(ref.cdf(vec, np.array([[a]]), self.np_dtype)).ravel()[0])  # noqa: E731
        mass = cdf(float(low)) + (1.0 - cdf(float(high)))
        return ClipReport(
            scenario.output, setting, str(self.np_dtype), str(self.device), distortion, mass
        )

    def own_samples(self, scenario: Scenario, ref: object) -> list[Point]:
        """Own samples must be scored exactly from their pre-squash value (SPEC §4).

        The pre-squash u is recovered by replaying the random stream of this project's
        TanhGaussian (one torch.randn of the sample's shape, u = mu + sigma * eps); where the
        replay does not reproduce the returned samples bit for bit, up to a symmetric clamp
        (another implementation, or another random stream), only finiteness is checked.
        """
        if scenario.output not in ("TanhGaussian", "GMM"):
            return []
        points = []
        count = 64
        for setting, row in zip(scenario.settings, scenario.vec_rows(), strict=True):
            vec_np = row.astype(self.np_dtype).reshape(1, -1)
            dist = self.build(scenario, self._tensor(vec_np))
            torch.manual_seed(0)
            samples = dist.sample((count,))
            lp = dist.log_prob(samples).detach().cpu().double().numpy().reshape(count, -1)
            u = self._replayed_presquash(scenario, dist, samples)
            if u is None:
                for value in lp.ravel():
                    points.append(
                        self._point(
                            scenario,
                            setting.name,
                            "own_sample",
                            action=None,
                            distance=None,
                            value=float(value),
                            exact=math.nan,
                            ulps=math.nan,
                            cond=None,
                            grad=None,
                            nonfinite=not math.isfinite(float(value)),
                        )
                    )
                continue
            exact = arbiter.sweep(
                arbiter.tanh_gaussian.log_prob_presquash,
                ref,
                np.broadcast_to(vec_np, (count, vec_np.shape[1])),
                u,
                dtype=self.np_dtype,
            )
            points += self._values(scenario, setting.name, "own_sample", lp, exact, None, None)
        return points

    def _replayed_presquash(self, scenario: Scenario, dist: object, samples: torch.Tensor):
        if scenario.output != "TanhGaussian" or not hasattr(dist, "loc"):
            return None
        torch.manual_seed(0)
        eps = torch.randn(samples.shape, dtype=self.dtype, device=self.device)
        largest = torch.finfo(self.dtype).max
        u = (dist.loc + dist.scale * eps).clamp(-largest, largest)
        # A symmetric clamp of tanh(u) at the largest |sample| is allowed (TorchRL's safe tanh
        # returns tanh(u) clamped to ±(1 - finfo.resolution) and scores u itself); every
        # sample below that bound must still be tanh(u) bit for bit.
        bound = samples.abs().max()
        if not torch.equal(torch.tanh(u).clamp(-bound, bound), samples):
            return None
        return u.detach().cpu().double().numpy().reshape(len(samples), -1)

    def discrete(self, scenario: Scenario) -> list[Point]:
        ref = ADAPTERS[scenario.output].reference(scenario.kwargs)
        d = scenario.kwargs["d_action"]
        points: list[Point] = []
        for setting, row in zip(scenario.settings, scenario.vec_rows(), strict=True):
            vec_np = np.broadcast_to(row.astype(self.np_dtype), (d, d)).copy()
            vec = self._tensor(vec_np, grad=True)
            dist = self.build(scenario, vec)
            index = torch.arange(d, device=self.device)
            lp = dist.log_prob(index)
            (grad,) = torch.autograd.grad(lp.sum(), vec, retain_graph=True)
            exact = arbiter.sweep(
                arbiter.discrete.log_prob,
                ref,
                vec_np,
                np.arange(d).reshape(-1, 1),
                dtype=self.np_dtype,
            )
            points += self._values(
                scenario,
                setting.name,
                "log_prob",
                lp.detach().cpu().double().numpy().reshape(d, 1),
                exact,
                grad.cpu().double().numpy(),
                None,
            )
            points += self._distribution_level(scenario, setting.name, ref, vec_np[:1], dist)
        return points

    def _distribution_level(
        self, scenario: Scenario, setting: str, ref: object, vec_np: np.ndarray, dist: object
    ) -> list[Point]:
        probs = dist.probs[:1].detach().cpu().double().numpy()
        exact_probs = arbiter.sweep(arbiter.discrete.probs, ref, vec_np, dtype=self.np_dtype)
        entropy = dist.entropy()[:1].detach().cpu().double().numpy().reshape(1, 1)
        exact_entropy = arbiter.sweep(arbiter.discrete.entropy, ref, vec_np, dtype=self.np_dtype)
        return self._values(
            scenario, setting, "probs", probs, exact_probs, None, None
        ) + self._values(scenario, setting, "entropy", entropy, exact_entropy, None, None)

    def one_hot(self, scenario: Scenario) -> list[Point]:
        d = scenario.kwargs["d_action"]
        points: list[Point] = []
        for setting, row in zip(scenario.settings, scenario.vec_rows(), strict=True):
            vec = self._tensor(row.astype(self.np_dtype).reshape(1, -1))
            dist = self.build(scenario, vec)
            logits = dist.logits.detach().cpu().double().numpy().reshape(-1)
            ref = reference.DiscreteLikeContinuous(logits.astype(self.np_dtype))
            actions = torch.eye(d, dtype=self.dtype, device=self.device)
            lp = dist.log_prob(actions).detach().cpu().double().numpy().reshape(d, 1)
            exact = _stack(
                [arbiter.discrete_like_continuous.log_prob(ref, np.eye(d)[k]) for k in range(d)]
            )
            points += self._values(scenario, setting.name, "log_prob", lp, exact, None, None)
            entropy = dist.entropy().detach().cpu().double().numpy().reshape(1, 1)
            exact_entropy = _stack([arbiter.discrete_like_continuous.entropy(ref)])
            points += self._values(
                scenario, setting.name, "entropy", entropy, exact_entropy, None, None
            )
        return points

    def binary(self, scenario: Scenario) -> list[Point]:
        ref = ADAPTERS[scenario.output].reference(scenario.kwargs)
        points: list[Point] = []
        for setting, row in zip(scenario.settings, scenario.vec_rows(), strict=True):
            vec_np = np.broadcast_to(row.astype(self.np_dtype), (2, row.size)).copy()
            vec = self._tensor(vec_np, grad=True)
            dist = self.build(scenario, vec)
            k_np = np.stack([np.zeros(row.size), np.ones(row.size)]).astype(self.np_dtype)
            lp = dist.log_prob(self._tensor(k_np))
            (grad,) = torch.autograd.grad(lp.sum(), vec)
            exact = arbiter.sweep(
                arbiter.multibinary.log_prob, ref, vec_np, k_np, dtype=self.np_dtype
            )
            got = lp.detach().cpu().double().numpy()
            points += self._values(
                scenario, setting.name, "log_prob", got, exact, grad.cpu().double().numpy(), None
            )
            entropy = dist.entropy()[:1].detach().cpu().double().numpy()
            exact_entropy = arbiter.sweep(
                arbiter.multibinary.entropy, ref, vec_np[:1], dtype=self.np_dtype
            )
            points += self._values(
                scenario, setting.name, "entropy", entropy, exact_entropy, None, None
            )
        return points


def _stack(results: list[arbiter.Exact]) -> arbiter.ExactArrays:
    def column(name: str) -> np.ndarray | None:
        rows = [getattr(r, name) for r in results]
        return None if rows[0] is None else np.array(rows, dtype=object)

    return arbiter.ExactArrays(
        column("value"), column("grad_vec"), column("grad_action"), column("cond")
    )
