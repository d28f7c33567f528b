"""The one exception type that reaches users as a one-line message."""


class EmojiAlphaError(Exception):
    """A problem the user can fix (bad input, missing weights, impossible size).

    The CLI prints ``error: <message>`` and exits with code 2; no traceback.
    """
