"""Rank: rule sets, the ranking engine and the ways of choosing weights."""
