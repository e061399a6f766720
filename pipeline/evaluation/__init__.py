"""Offline: `lintas evaluate` (NER, events, claims, alignment) and the per-rule measurement."""
