"""Scorecard: each finding of the paper tested by measurement (statistics, the evidence read
from the AM results, and the findings with their pre-declared rules)."""
