"""What the trigger experiments share: trigger + type F1 of per-token probabilities,
decoded as the shipped event heads decode theirs (`EventHeads.triggers`); since session 24
it lives with the recipe's corpus tasks (`pipeline.training.corpus_tasks.trigger_f1`)."""
from pipeline.training.corpus_tasks import trigger_f1

__all__ = ["trigger_f1"]
