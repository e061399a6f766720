"""Offline: training the NER models and the learned heads, exporting them, and writing their model cards."""
