"""Steps in words, as a technique book writes them ("LF forward 35 cm, 1/8 turn R")."""

from __future__ import annotations

from pasdeux.dances._model import Step

__all__ = ["describe_step"]

_DIRECTION_WORDS = {
    "forward": "forward",
    "back": "back",
    "left": "to the left",
    "right": "to the right",
    "diag_forward_left": "diagonally forward left",
    "diag_forward_right": "diagonally forward right",
    "diag_back_left": "diagonally back left",
    "diag_back_right": "diagonally back right",
    "close": "closes",
    "replace": "replaces weight",
    "in_place": "in place",
}


def describe_step(step: Step) -> str:
    """One step in words, e.g. ``"LF forward 35 cm, 1/8 turn R"``."""
    words = [f"{step.foot}F", _DIRECTION_WORDS[step.direction]]
    if step.size_m > 0:
        words.append(f"{round(step.size_m * 100)} cm")
    text = " ".join(words)
    if step.turn_eighths:
        side = "R" if step.turn_eighths > 0 else "L"
        amount = abs(step.turn_eighths)
        text += f", {_eighths(amount)} turn {side}"
    if not step.weight:
        text += " (no weight)"
    if step.action:
        text += f", {step.action.replace('_', ' ')}"
    return text


def _eighths(amount: float) -> str:
    names = {1: "1/8", 2: "1/4", 3: "3/8", 4: "1/2", 5: "5/8", 6: "3/4", 7: "7/8", 8: "full"}
    return names.get(round(amount), f"{amount:g}/8") if amount == round(amount) else f"{amount:g}/8"
