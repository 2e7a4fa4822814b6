"""The built-in local renderer: a procedural stand-in for an AI video model.

It needs no GPU and no network. A prompt's words pick the palette, subjects, motion, weather,
time of day and music; the seed fixes everything else, so a clip is reproducible and an edited
prompt with the same seed looks like a remix. Output is an H.264/AAC faststart MP4 plus a JPEG
poster, with the prompt as a caption and a moving "AI-generated · @creator" watermark.

    result = render_clip(RenderSpec(prompt="a neon city at night with rain", seconds=5, seed=7),
                         video_path="clip.mp4", poster_path="poster.jpg")
"""

from generation.renderer.clip import render_clip
from generation.renderer.scene import describe_scene
from generation.renderer.spec import SIZES, RenderError, RenderResult, RenderSpec

__all__ = ["SIZES", "RenderError", "RenderResult", "RenderSpec", "describe_scene", "render_clip"]
