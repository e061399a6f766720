"""The learned heads on the NER encoder's hidden states (event triggers and arguments, claims) and the encoder's runtime (onnxruntime, no torch)."""
