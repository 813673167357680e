"""Benchmarks (not tests): each module is runnable with `python -m bench.<name>`, prints a markdown
table and writes JSON under bench/results/."""
