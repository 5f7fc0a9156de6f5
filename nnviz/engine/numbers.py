"""Numbers as the window prints them: scalars that fit their box, and an update worked out with its numbers."""
from __future__ import annotations

import math
import re
from typing import Callable

import numpy as np

MINUS = "−"  # U+2212, as the equations write it
MAX_DIGITS = 17  # enough for any float64 to read back exactly

_EXPONENT = re.compile(r"e([+-])0*(\d+)")
_PLACEHOLDER = re.compile(r"\{(\d+)\}")
# what an operation's form may hold besides its operands for the worked equation to be plain arithmetic
_ARITHMETIC = re.compile(r"^[\s−+·α()]*$")


def number_text(value: float, digits: int = 4) -> str:
    """``value`` with ``digits`` significant digits, the notes' minus sign and a short exponent:
    -7.38298311375e-15 -> '−7.383e−15', 0.0921 -> '0.0921', inf -> '+∞', nan -> 'NaN'."""
    value = float(value)
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+∞" if value > 0 else f"{MINUS}∞"
    text = f"{value:.{max(1, digits)}g}"
    text = _EXPONENT.sub(lambda m: "e" + (MINUS if m.group(1) == "-" else "") + m.group(2), text)
    return text.replace("-", MINUS)


def fit_number(value: float, fits: Callable[[str], bool], least: int = 3) -> str:
    """The most precise text of ``value`` (the shortest exact one first, then fewer digits, down to
    ``least``) for which ``fits(text)`` holds; at ``least`` digits when none fits."""
    exact = repr(float(value))
    if math.isfinite(value) and "e" not in exact and fits(exact.replace("-", MINUS)):
        return exact.replace("-", MINUS)
    mantissa = exact.split("e")[0].replace("-", "").replace(".", "").lstrip("0")
    for digits in range(min(MAX_DIGITS, max(len(mantissa), least)), least - 1, -1):
        text = number_text(value, digits)
        if fits(text):
            return text
    return number_text(value, least)


def _operand(value: float, digits: int, first: bool) -> str:
    text = number_text(value, digits)
    return text if first or not text.startswith(MINUS) else f"({text})"


def worked_equation(symbol: str, form: str, operands: list[float], alpha: float, result: float) -> str | None:
    """'b[3] = 0.0921 − 0.0075 × 0.0125 = 0.0920': ``form`` ('{0} − α·{1}') with the numbers of 1×1
    operands and α put in, and the result.  Digits grow until the old and the new value differ on
    screen (or 12, when the update is that small).  None when the form is not plain arithmetic of them.
    The caller makes sure the numbers are the ones the operation used (the inspector computes it again)."""
    names = [int(i) for i in _PLACEHOLDER.findall(form)]
    if not names or max(names) >= len(operands) or not _ARITHMETIC.match(_PLACEHOLDER.sub("", form)):
        return None
    if not all(np.isfinite(v) for v in (*operands, alpha, result)):
        return None
    digits = 4
    while digits < 12 and number_text(operands[0], digits) == number_text(result, digits) and operands[0] != result:
        digits += 1
    text = form.replace("α", "{alpha}").replace("·", " × ")
    first = text.lstrip().startswith("{0}")
    filled = _PLACEHOLDER.sub(lambda m: _operand(operands[int(m.group(1))], digits, first and m.group(1) == "0"), text)
    filled = filled.replace("{alpha}", number_text(alpha, digits))
    return f"{symbol} = {filled} = {number_text(result, digits)}"
