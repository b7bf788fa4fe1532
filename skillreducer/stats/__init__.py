"""Corpus statistics: the state of a marketplace in numbers and plots."""
