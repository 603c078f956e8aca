"""The package's exceptions and warnings.

Every error carries Tandem's stable ``code`` (the codes the CLI, the server and the npm package
report: ``WRONG_TYPE``, ``MISSING_FIELD``, ``BUNDLE_CHECKSUM``...), the ``field`` it concerns
and, in a batch, the 0-based position of the ``row``.
"""


class TandemError(Exception):
    """Anything Tandem refuses, with ``code``, ``message``, ``field`` and ``row``."""

    def __init__(self, code, message, field=None, row=None):
        where = f"row {row}: " if row is not None else ""
        super().__init__(f"[{code}] {where}{message}")
        self.code = code
        self.message = message
        self.field = field
        self.row = row

    def __reduce__(self):
        # Picklable (Spark ships exceptions between processes).
        return (type(self), (self.code, self.message, self.field, self.row))


class InputError(TandemError, ValueError):
    """The data given to predict cannot be used: a row (``row``), or the batch's columns."""


class ModelError(TandemError):
    """The model cannot be found, fetched or loaded (a path, a URI, the bundle's bytes)."""


class TandemWarning(UserWarning):
    """A prediction was made, with something to know: a number outside the training range
    (``OUT_OF_RANGE``) or a category never seen in training (``UNKNOWN_CATEGORY``)."""
