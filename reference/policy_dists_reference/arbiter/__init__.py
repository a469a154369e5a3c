"""High-precision (mpmath, DIGITS = 60 working digits, >= 50 correct) arbiter.

It evaluates each output's exact math at the exact float inputs an implementation received,
after the same float clamps (clip bounds, softplus `high`, Discrete's clip_prob bounds rounded to
the working dtype). One module per output, each taking the reference object for configuration:

- tanh_gaussian, gmm: log_prob(output, vec, action, dtype), log_prob_presquash(output, vec, u,
  dtype), mean(output, vec, dtype), cdf(output, vec, action, dtype)
- beta: log_prob, entropy(output, vec, dtype), mean, cdf, implicit_dx_dparams(alpha, beta, x)
- discrete: log_prob(output, vec, k, dtype), entropy, probs(output, vec, dtype)
- discrete_like_continuous: log_prob(output, action), entropy(output),
  straight_through_jacobian(output, gumbel_noise)
- multibinary: log_prob(output, vec, k, dtype), entropy, probs

Every function takes ONE point (vec of shape (n,), action of shape (d,)) and returns an Exact:
value, grad_vec (gradient of the summed value in vec), grad_action (through the clamp), and
cond, the condition sum S of SPEC §7 for log-densities and entropies. sweep(function, output,
vec, action, dtype=...) maps a function over broadcast batches into ExactArrays (object arrays
of mpf; .float64() rounds them). error_ulps and error_cond measure a result against it.
"""

from . import beta, discrete, discrete_like_continuous, gmm, multibinary, tanh_gaussian
from .errors import error_cond, error_ulps
from .exact import Exact, ExactArrays, sweep
from .precision import DIGITS

__all__ = [
    "DIGITS",
    "Exact",
    "ExactArrays",
    "beta",
    "discrete",
    "discrete_like_continuous",
    "error_cond",
    "error_ulps",
    "gmm",
    "multibinary",
    "sweep",
    "tanh_gaussian",
]
