"""Discrete ignoring clip_prob_low and clip_prob_high: plain softmax probabilities."""

import policy_dists
from policy_dists import *  # noqa: F403


class Discrete(policy_dists.Discrete):
    def __init__(
        self, d_action: int, clip_prob_low: float = 0.001, clip_prob_high: float = 0.99
    ) -> None:
        super().__init__(d_action, clip_prob_low=0.0, clip_prob_high=1.0)
