"""Tiny diffusers video pipelines with random weights, built fully offline.

diffusers' own tests pull the T5 config and tokenizer from the Hub (`hf-internal-testing/
tiny-random-t5`); these build them in code instead, so a test can `save_pretrained` a real,
loadable pipeline folder without a network. The transformer/VAE kwargs are copied from
`get_dummy_components` in diffusers' `tests/pipelines/{wan,ltx}/`. A pipeline this size makes a
9-frame 16x16 (LTX: 32x32) clip on a CPU in well under a second; its frames are noise-like.

Import only where torch is installed (the GPU extra): callers `pytest.importorskip("torch")`.
"""

from __future__ import annotations

from pathlib import Path

import torch
from tokenizers import Tokenizer
from tokenizers.models import WordLevel
from tokenizers.pre_tokenizers import Whitespace
from tokenizers.processors import TemplateProcessing
from transformers import PreTrainedTokenizerFast, T5Config, T5EncoderModel

# A few words so prompts tokenise to something other than <unk>; the weights are random anyway.
_WORDS = (
    "a", "cat", "dog", "city", "night", "rain", "neon", "street", "dance", "monkey", "ocean",
    "wave", "sunset", "forest", "fox", "runs", "through", "the", "in", "on", "of", "with",
    "slow", "motion", "camera", "pans", "over", "mountain", "snow",
)  # fmt: skip
_SPECIAL = ("<pad>", "</s>", "<unk>")
TEXT_DIM = 32  # T5 d_model; the transformer's text_dim / caption_channels must match it


def tiny_t5() -> tuple[T5EncoderModel, PreTrainedTokenizerFast]:
    """A 2-layer T5 encoder (d_model 32) and a word-level tokenizer that appends </s> like T5's."""
    vocab = {token: i for i, token in enumerate((*_SPECIAL, *_WORDS))}
    tok = Tokenizer(WordLevel(vocab=vocab, unk_token="<unk>"))
    tok.pre_tokenizer = Whitespace()
    tok.post_processor = TemplateProcessing(
        single="$A </s>", pair="$A </s> $B </s>", special_tokens=[("</s>", vocab["</s>"])]
    )
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=tok, pad_token="<pad>", eos_token="</s>", unk_token="<unk>",
        model_max_length=512,
    )  # fmt: skip
    torch.manual_seed(0)
    config = T5Config(
        vocab_size=len(vocab), d_model=TEXT_DIM, d_kv=8, d_ff=37, num_layers=2, num_heads=4,
        relative_attention_num_buckets=8, pad_token_id=0, eos_token_id=1, decoder_start_token_id=0,
    )  # fmt: skip
    return T5EncoderModel(config).eval(), tokenizer


def build_tiny_wan(path: Path | str) -> Path:
    """Save a random-weight `WanPipeline` (Wan 2.1 shape) to `path`; returns the path.
    Makes 4k+1 frames; width and height must be multiples of 16."""
    from diffusers import (
        AutoencoderKLWan,
        FlowMatchEulerDiscreteScheduler,
        WanPipeline,
        WanTransformer3DModel,
    )

    text_encoder, tokenizer = tiny_t5()
    torch.manual_seed(0)
    vae = AutoencoderKLWan(
        base_dim=3, z_dim=16, dim_mult=[1, 1, 1, 1], num_res_blocks=1,
        temperal_downsample=[False, True, True],
    )  # fmt: skip
    torch.manual_seed(0)
    transformer = WanTransformer3DModel(
        patch_size=(1, 2, 2), num_attention_heads=2, attention_head_dim=12, in_channels=16,
        out_channels=16, text_dim=TEXT_DIM, freq_dim=256, ffn_dim=32, num_layers=2,
        cross_attn_norm=True, qk_norm="rms_norm_across_heads", rope_max_seq_len=32,
    )  # fmt: skip
    pipe = WanPipeline(
        transformer=transformer,
        vae=vae,
        scheduler=FlowMatchEulerDiscreteScheduler(shift=7.0),
        text_encoder=text_encoder,
        tokenizer=tokenizer,
    )
    return _save(pipe, path)


def build_tiny_ltx(path: Path | str) -> Path:
    """Save a random-weight `LTXPipeline` to `path`; returns the path. Its tiny VAE compresses
    time 4x (real LTX: 8x), so it makes 4k+1 frames; sizes must be multiples of 32."""
    from diffusers import (
        AutoencoderKLLTXVideo,
        FlowMatchEulerDiscreteScheduler,
        LTXPipeline,
        LTXVideoTransformer3DModel,
    )

    text_encoder, tokenizer = tiny_t5()
    torch.manual_seed(0)
    transformer = LTXVideoTransformer3DModel(
        in_channels=8, out_channels=8, patch_size=1, patch_size_t=1, num_attention_heads=4,
        attention_head_dim=8, cross_attention_dim=32, num_layers=1, caption_channels=TEXT_DIM,
    )  # fmt: skip
    torch.manual_seed(0)
    vae = AutoencoderKLLTXVideo(
        in_channels=3, out_channels=3, latent_channels=8, block_out_channels=(8, 8, 8, 8),
        decoder_block_out_channels=(8, 8, 8, 8), layers_per_block=(1, 1, 1, 1, 1),
        decoder_layers_per_block=(1, 1, 1, 1, 1),
        spatio_temporal_scaling=(True, True, False, False),
        decoder_spatio_temporal_scaling=(True, True, False, False),
        decoder_inject_noise=(False, False, False, False, False),
        upsample_residual=(False, False, False, False), upsample_factor=(1, 1, 1, 1),
        timestep_conditioning=False, patch_size=1, patch_size_t=1, encoder_causal=True,
        decoder_causal=False,
    )  # fmt: skip
    pipe = LTXPipeline(
        transformer=transformer,
        vae=vae,
        scheduler=FlowMatchEulerDiscreteScheduler(),
        text_encoder=text_encoder,
        tokenizer=tokenizer,
    )
    return _save(pipe, path)


def _save(pipe: object, path: Path | str) -> Path:
    path = Path(path)
    path.mkdir(parents=True, exist_ok=True)
    pipe.save_pretrained(path)  # type: ignore[attr-defined]
    return path
