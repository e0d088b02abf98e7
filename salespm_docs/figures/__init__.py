"""Figures: ``Facts`` → the numbers several documents show, each defined once.

Call them through ``facts.derive(fn)`` so a build computes each at most once. A figure that the
data cannot give yet returns ``None`` (shown as 不适用), never a guess.
"""
