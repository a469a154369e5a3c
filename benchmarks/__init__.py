"""Kernel benchmarks of every policy output against the textbook torch.distributions
composition and a hand-written plain-ops floor; ``python -m benchmarks.summary`` reads the
results."""
