"""The trained models written out as a diffusers FluxPipeline folder with its chatdit.json."""

from __future__ import annotations

import copy
import json
import shutil
from pathlib import Path


def grounding_mode(args) -> str | None:
    """chatdit.json's "grounding": how the hub must draw a model trained with these arguments."""
    if args.grounded <= 0:
        return None
    from chatdit.dit.nano.grounding import GROUNDING_MODES

    return GROUNDING_MODES[args.grounding]


def export_pipeline(run) -> Path:
    """Write OUT/pipeline with the EMA weights and chatdit.json (and copy it to --export)."""
    import torch

    from chatdit.dit.nano.build import assemble_pipeline, defaults_json, sequence_buckets, tie_case_embeddings

    args, out, (clip_tok, t5_tok) = run.args, run.args.out, run.tokenizers
    comps = dict(run.models)
    for name, ema in run.ema_models.items():
        comps[name] = ema
    comps = {k: (copy.deepcopy(v).to("cpu") if hasattr(v, "to") else v) for k, v in comps.items()}
    tie_case_embeddings(comps["text_encoder_2"], t5_tok)
    t5_tok.backend_tokenizer.no_padding()  # a fast tokenizer keeps its last call's padding and would save it
    t5_tok.backend_tokenizer.no_truncation()  # as its default (v17's export did: 48 tokens, found in review)
    pipe = assemble_pipeline(comps, clip_tok, t5_tok)
    if args.save_fp16:
        pipe.to(torch.float16)
    folder = out / "pipeline"
    tmp = out / "pipeline.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    pipe.save_pretrained(tmp)
    (tmp / "chatdit.json").write_text(json.dumps(defaults_json(args.infer_steps, args.cfg if args.cfg > 1 else None,
                                                         sequence_buckets(args.tiny), grounding_mode(args)), indent=2) + "\n")
    shutil.rmtree(folder, ignore_errors=True)
    tmp.rename(folder)
    if args.export:
        shutil.rmtree(args.export, ignore_errors=True)
        shutil.copytree(folder, args.export)
    return folder
