"""The NER rules the ``ner_rules`` stage runs, each ``rule(mentions, tokens) -> mentions``, split by concern."""
