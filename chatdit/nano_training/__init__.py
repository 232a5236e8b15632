"""Training chatdit-nano: `python -m chatdit.nano_training` (or `chatdit train-nano`).

Research beside the product: the runtime (the hub, the pipeline loader) imports nothing from
here. Split by job: `data` (rendered batches), `encoding` (text and latents as the hub encodes
them), `losses`, `semantic` (the training-only alignment head), `precision`, `vae_stage`,
`transformer_stage`, `export`, `run` (models, checkpoints) and `cli` (flags and `main`).
"""
