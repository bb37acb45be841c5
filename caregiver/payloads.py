"""JSON that others send us (offline sync batches, backups), read with limits on its shape.

Python's parser gives up on very deep nesting with a RecursionError, which is not a ValueError and
so became a 500; and a shape deeper than the app ever writes is never a real diary."""
import json


class PayloadError(ValueError):
    """The JSON cannot be read, or is shaped deeper than the app ever writes it."""


def depth(value):
    """How many lists and objects deep `value` goes (a number is 0, [] is 1), without recursion."""
    deepest, waiting = 0, [(value, 1)]
    while waiting:
        node, level = waiting.pop()
        if isinstance(node, dict):
            children = node.values()
        elif isinstance(node, list):
            children = node
        else:
            continue
        deepest = max(deepest, level)
        waiting.extend((child, level + 1) for child in children)
    return deepest


def read_json(raw, max_depth):
    """The parsed JSON of `raw` (bytes or text), or PayloadError if it is not JSON (a number of
    thousands of digits included) or is deeper than max_depth. NaN and Infinity, which Python
    reads, are left to the forms' rules, which refuse them where they can say which field."""
    try:
        value = json.loads(raw)
    except RecursionError as too_deep:
        raise PayloadError("nested too deeply") from too_deep
    except (ValueError, UnicodeDecodeError) as unreadable:
        raise PayloadError(f"not JSON: {unreadable}") from unreadable
    if depth(value) > max_depth:
        raise PayloadError(f"nested deeper than {max_depth}")
    return value
