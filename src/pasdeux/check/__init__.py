"""Check: measure a written performance against what dancers and animators accept.

``pasdeux check DIR`` runs :func:`check_output`: support-foot slide, foot skating (three
named definitions), foot contact, step-on-beat error, the Beat Align Score, joined hands,
interpenetration, bone-length drift, joint speed, Euler flips, turns per figure and the
pelvis height; :func:`verdicts` compares a report with the issue's targets
(:class:`CheckTargets`). :data:`RIG` is the one table from body parts to joint names;
:mod:`pasdeux.check.measures` holds each measure as a plain function on arrays.
"""

from pasdeux.check._check import check_output, check_performance
from pasdeux.check._params import CheckParams, CheckTargets
from pasdeux.check._report import CheckReport, DancerCheck, FigureTurn, report_table, verdicts
from pasdeux.check._rig import RIG, RigMap

__all__ = [
    "RIG",
    "CheckParams",
    "CheckReport",
    "CheckTargets",
    "DancerCheck",
    "FigureTurn",
    "RigMap",
    "check_output",
    "check_performance",
    "report_table",
    "verdicts",
]
