"""The pipeline's stages, one per module, each registered by name (`pipeline.core.stage_registry`)."""
