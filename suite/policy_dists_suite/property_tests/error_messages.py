"""What an error message must say: the class (or function) it concerns, then the parameters,
each as a whole word, in the message's own first line. Later lines do not count: gin appends
"In call to configurable '<class>'" to any error a configurable constructor raises."""

from __future__ import annotations

import re


def first_line_names(error: BaseException, owner: str, *words: str) -> bool:
    """Whether the first line of str(error) names `owner`, and every word after it."""
    message = (str(error).splitlines() or [""])[0]
    found = re.search(rf"\b{re.escape(owner)}\b", message)
    rest = message[found.end() :] if found else ""
    return found is not None and all(re.search(rf"\b{re.escape(w)}\b", rest) for w in words)
