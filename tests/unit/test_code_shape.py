"""No function over 40 lines in layers/ and functions/ (a newcomer reads each at a glance)."""

from scripts.code_shape import MAX_FUNCTION_LINES, functions


def test_no_function_is_longer_than_forty_lines():
    too_long = [f"{m.where} ({m.lines})" for m in functions() if m.lines > MAX_FUNCTION_LINES]
    assert too_long == []
