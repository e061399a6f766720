"""The runtime: the pipeline and its stage contract, the document types, errors, the batch runner (one process, N, or Ray) and long documents in sections."""
