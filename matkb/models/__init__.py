"""Interfacial-stability models: censoring-aware lifetime models, baselines, evaluation and ranking."""
