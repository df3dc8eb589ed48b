"""Show: the browser viewer of a performance, in sync with the song, and its video."""

from pasdeux.render._footprints import (
    check_footprint_folder,
    footprint_svg,
    write_footprint_charts,
)
from pasdeux.render._payload import ROLE_COLOURS, viewer_payload
from pasdeux.render._video import VideoParams, check_video, write_video
from pasdeux.render._viewer import render_viewer_html, write_viewer

__all__ = [
    "ROLE_COLOURS",
    "VideoParams",
    "check_footprint_folder",
    "check_video",
    "footprint_svg",
    "render_viewer_html",
    "viewer_payload",
    "write_footprint_charts",
    "write_video",
    "write_viewer",
]
