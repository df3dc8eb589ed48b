"""Run by Blender (``blender -b --factory-startup --python THIS -- BVH OUT FRAMES``): import a
BVH file with Blender's own importer and write the bones' world head positions.

Arguments after ``--``: the BVH file, the JSON file to write, and the BVH frames (0-based,
comma-separated) to sample. The output maps each bone's name to a list (one per frame) of
``[x, y, z]`` in floor coordinates, metres: pasdeux writes BVH Y up in centimetres, floor
(x, y, z) as BVH (x, z, -y); Blender's importer with ``axis_up="Y"``, ``axis_forward="-Z"``
maps BVH (x, y, z) to Blender (x, -z, y), which is floor (x, y, z) again, and
``global_scale=0.01`` turns centimetres into metres. Both are passed explicitly.
"""

from __future__ import annotations

import builtins
import json
import sys
from typing import Any

import bpy

_open = builtins.open


def _open_without_u(file: Any, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
    """Blender 3.4's BVH importer opens its file with mode 'rU', which Python 3.11 refuses."""
    return _open(file, mode.replace("U", ""), *args, **kwargs)


def main() -> None:
    """Import the BVH, sample the frames, write the JSON."""
    bvh, out, frames_text = sys.argv[sys.argv.index("--") + 1 :][:3]
    frames = [int(f) for f in frames_text.split(",")]
    builtins.open = _open_without_u
    try:
        bpy.ops.import_anim.bvh(
            filepath=bvh,
            axis_forward="-Z",
            axis_up="Y",
            global_scale=0.01,
            frame_start=1,
            use_fps_scale=False,
            update_scene_fps=False,
            update_scene_duration=True,
            rotate_mode="NATIVE",
        )
    finally:
        builtins.open = _open
    arm = next(o for o in bpy.context.scene.objects if o.type == "ARMATURE")
    heads: dict[str, list[list[float]]] = {b.name: [] for b in arm.pose.bones}
    for f in frames:
        bpy.context.scene.frame_set(f + 1)
        for bone in arm.pose.bones:
            heads[bone.name].append(list(arm.matrix_world @ bone.head))
    with _open(out, "w", encoding="utf-8") as fh:
        json.dump({"bones": heads, "n_bones": len(arm.pose.bones)}, fh)


main()
