"""Box positions for grounded phrases: each object's words sit, for rotary attention, at its box.

Flux gives every text token the rotary position (0, 0, 0), so under the regional mask an image
token reading its object's phrase learns *which* object it belongs to but not *where in it* it
lies, and a shape (a star's points, a house's roof) is exactly that. GLIGEN feeds box
coordinates to the model as extra tokens; here no weights are added: each phrase's tokens take
the position of its box's centre (rows, cols in image-token units, as Flux numbers image tokens)
and the box's size on the first axis, which image tokens leave at 0. Rotary attention depends on
relative positions only, so the query-key rotation between an image token and its phrase is the
token's offset from the object's centre and the object's size, in every attention layer.

Text tokens outside every object phrase (backdrops, shared text, padding) keep (0, 0, 0), as
Flux has them. `BoxRopeAttnProcessor` applies the per-sample text positions; it is Flux's own
processor otherwise, and a call without `text_rotary_emb` is exactly Flux's.
"""

from __future__ import annotations

from functools import lru_cache

from chatdit.dit.regional import Region


def phrase_positions(text_len: int, ranges: list[list[int]], regions: list[Region], rows: int, cols: int):
    """[text_len, 3] rotary positions of one grounded text: (size, row, col) of its box for the tokens
    of each object phrase (one box each), 0 elsewhere."""
    import torch

    positions = torch.zeros(text_len, 3)
    for tokens, region in zip(ranges, regions):
        if region.backdrop or not tokens:
            continue
        x0, y0, x1, y1 = region.box
        size = ((x1 - x0) * cols + (y1 - y0) * rows) / 2
        positions[tokens] = torch.tensor([size, (y0 + y1) / 2 * rows - 0.5, (x0 + x1) / 2 * cols - 0.5])
    return positions


def text_rotary(transformer, positions):
    """(cos, sin), each [B, L, D], of a batch of text positions [B, L, 3], by the transformer's own
    rotary embedding."""
    batch, length, _ = positions.shape
    cos, sin = transformer.pos_embed(positions.reshape(-1, 3).to(transformer.device))
    return cos.reshape(batch, length, -1), sin.reshape(batch, length, -1)


def _rotate(x, cos, sin):
    """Flux's rotary rotation (diffusers apply_rotary_emb, use_real) with per-sample cos/sin [B, S, 1, D]."""
    import torch

    real, imag = x.reshape(*x.shape[:-1], -1, 2).unbind(-1)
    rotated = torch.stack([-imag, real], dim=-1).flatten(3)
    return (x.float() * cos + rotated.float() * sin).to(x.dtype)


@lru_cache(maxsize=1)
def _processor_class():
    from diffusers.models.attention_dispatch import dispatch_attention_fn
    from diffusers.models.transformers.transformer_flux import FluxAttnProcessor, _get_qkv_projections

    class BoxRopeAttnProcessor(FluxAttnProcessor):
        """FluxAttnProcessor whose text tokens may take per-sample rotary positions
        (`joint_attention_kwargs={"text_rotary_emb": text_rotary(...)}`)."""

        def __call__(self, attn, hidden_states, encoder_hidden_states=None, attention_mask=None,
                     image_rotary_emb=None, text_rotary_emb=None):
            import torch

            if text_rotary_emb is None or image_rotary_emb is None:
                return super().__call__(attn, hidden_states, encoder_hidden_states, attention_mask, image_rotary_emb)
            query, key, value, encoder_query, encoder_key, encoder_value = _get_qkv_projections(
                attn, hidden_states, encoder_hidden_states)
            query, key, value = (t.unflatten(-1, (-1, attn.head_dim)) for t in (query, key, value))
            query, key = attn.norm_q(query), attn.norm_k(key)
            if attn.added_kv_proj_dim is not None:
                encoder_query, encoder_key, encoder_value = (t.unflatten(-1, (-1, attn.head_dim))
                                                             for t in (encoder_query, encoder_key, encoder_value))
                encoder_query, encoder_key = attn.norm_added_q(encoder_query), attn.norm_added_k(encoder_key)
                query = torch.cat([encoder_query, query], dim=1)
                key = torch.cat([encoder_key, key], dim=1)
                value = torch.cat([encoder_value, value], dim=1)
            text_cos, text_sin = text_rotary_emb
            batch, text_len = text_cos.shape[:2]
            cos = torch.cat([text_cos, image_rotary_emb[0][text_len:].expand(batch, -1, -1)], dim=1)[:, :, None]
            sin = torch.cat([text_sin, image_rotary_emb[1][text_len:].expand(batch, -1, -1)], dim=1)[:, :, None]
            query, key = _rotate(query, cos, sin), _rotate(key, cos, sin)
            out = dispatch_attention_fn(query, key, value, attn_mask=attention_mask, backend=self._attention_backend,
                                        parallel_config=self._parallel_config)
            out = out.flatten(2, 3).to(query.dtype)
            if encoder_hidden_states is None:
                return out
            encoder_out, out = out.split_with_sizes([encoder_hidden_states.shape[1], out.shape[1] - encoder_hidden_states.shape[1]], dim=1)
            out = attn.to_out[1](attn.to_out[0](out.contiguous()))
            return out, attn.to_add_out(encoder_out.contiguous())

    return BoxRopeAttnProcessor


def use_box_rope(transformer) -> None:
    """Give every attention layer of a FluxTransformer2DModel the box-position processor (once)."""
    processor_class = _processor_class()
    if not all(isinstance(p, processor_class) for p in transformer.attn_processors.values()):
        transformer.set_attn_processor(processor_class())
