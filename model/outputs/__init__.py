"""Outputs of one run: the headline outcomes (the public outcome API), files and plots."""
