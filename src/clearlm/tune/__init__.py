"""tune: LoRA fine-tuning on private chat data, with its own lineage."""
