"""Write: the output folder (JSON values, BVH, step sheet, viewer)."""

from pasdeux.export._bvh import BVH_FROM_FLOOR, bvh_text, write_bvh
from pasdeux.export._outputs import (
    OUTPUT_FILES,
    check_output_folder,
    output_error,
    write_outputs,
)
from pasdeux.export._stepsheet import describe_step, stepsheet_html, stepsheet_markdown

__all__ = [
    "BVH_FROM_FLOOR",
    "OUTPUT_FILES",
    "bvh_text",
    "check_output_folder",
    "describe_step",
    "output_error",
    "stepsheet_html",
    "stepsheet_markdown",
    "write_bvh",
    "write_outputs",
]
