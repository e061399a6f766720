"""The pipeline's stages, one per module, each registered by name (`pipeline.core.core.stage_registry`)."""
