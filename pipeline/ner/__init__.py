"""The NER rules: name boundaries, labels, persons and organisations, each
``rule(mentions, tokens) -> mentions`` (`pipeline.text.tokens.Tokens`).

The small models lintas trains make errors that rules and word lists fix cheaply. Word
lists are plain-text lexicons in ``models/lexicons/LANG/`` (``xx/`` for every language),
so a language is extended by editing files.

All of them run in one stage, `ner_rules` (`pipeline.stages.ner_rule_stage`, whose ``RULES`` is
their order), on the mentions of every backend after they are merged, so that they see
the gazetteer's places too; a rule whose word lists the document's language lacks changes
nothing. The rules, in that order, and the modules that hold them:

- `join_hyphenated` (boundaries): halves of a hyphenated name are joined ("Kassym" + "Jomart Tokayev",
  "Samruk" + "-Kazyna"), not a route between two places ("Лондон-Пловдив");
- `legal_form_names` (boundaries): company names the model missed that end in a legal form of
  ``xx/org_tails.txt`` are added ("Cove Capital LLC", "Булгаргаз ЕАД");
- `organisation_labels` (labels): a PER name that begins with a word of ``org_heads.txt``, or a PER
  or LOC name that ends with one of ``org_tails.txt``, is ORG (off for English, whose
  ``settings.tsv`` says so: measured there, it cost 0.4 points);
- `place_labels` (labels): a name that begins or ends with a place word is LOC ("Laut Kaspia");
- `company_names` (boundaries): a quoted name takes its legal form, a short name in brackets is the
  name before it;
- `title_persons` (persons): persons named after a title of ``titles.txt``;
- `cued_organisations` (organisations): names introduced by a word of ``org_cues.txt`` are ORG;
- `extend_organisations` (organisations): organisations cut short before their place are made whole;
- `consistent_persons` (persons): one-word LOC names that are a person's surname or a speaker are PER.

After these: `acronyms` (acronym-led places are organisations), `works` (titles of works are
dropped) and `propagate`. `words` holds the word lists and token tests they share;
`place_index` matches the gazetteer's places on the tokens (the gazetteer backend uses it too).
"""
