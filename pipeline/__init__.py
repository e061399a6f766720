"""lintas: multilingual news to entities, relations, events and claims (lintas/1 JSONL).

The package holds the stages, the record types, I/O, the runner and the backends::

    from pipeline import build_pipeline, read_inputs
    nlp = build_pipeline()
    for item in read_inputs(["seeds/"]):
        records = nlp.process(item)
"""

from __future__ import annotations

import os as _os

# numpy's OpenBLAS threads spin on between the learned heads' small matrix products and
# take the two cores from onnxruntime's encoder threads: with them all stages took 1.58
# times the NER-only time, with one BLAS thread 1.09 times (session 11, 40 Russian
# documents). Set before numpy is loaded; a value the user set wins. torch (training)
# does not use OpenBLAS.
_os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

__version__ = "0.1.0"

from pipeline.core.core import DEFAULT_STAGES, Pipeline, PipelineConfig, build_pipeline
from pipeline.core.stage_registry import register_stage
from pipeline.core.document import Document, Entity, ErrorRecord, Mention, Span
from pipeline.io.reader import read_inputs
from pipeline.io.records import SCHEMA_VERSION
from pipeline.core.runner import Summary, run

__all__ = [
    "DEFAULT_STAGES", "Document", "Entity", "ErrorRecord", "Mention", "Pipeline",
    "PipelineConfig", "SCHEMA_VERSION", "Span", "Summary", "build_pipeline", "read_inputs",
    "register_stage", "run", "__version__",
]
