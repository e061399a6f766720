"""Text helpers the stages share: the token view, lexicon phrase matching, name keys, dates, alignment."""
