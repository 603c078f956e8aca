"""Predict with Tandem models from Python.

The same Rust core as the ``tandem`` CLI, ``tandem serve`` and the npm package ``tandem-infer``:
the bundle's preprocessing and network run natively, on raw fields as users know them, and
give the same numbers (labels equal, probabilities within 1e-12)::

    import tandem_infer

    model = tandem_infer.Model.load("runs:/<run id>")      # a path, runs:/ or models:/ URI
    model.predict(df)                                       # pandas, pyarrow, dicts
    model.predict_one({"name": "Bird, Miss. Ellen", "sex": "female", "age": 29})

A bad row raises :class:`InputError` (``code``, ``field``, ``row``), or with
``errors="column"`` becomes that row's ``error_code``, ``error_field`` and ``error``. Rows that
predicted with a warning (a number outside the training range, a category never seen in
training) are listed in the result's ``attrs["warnings"]`` and summed up in one
:class:`TandemWarning`.

MLflow: every run ``tandem train`` logs declares this package as its ``python_function``
flavor, so ``mlflow.pyfunc.load_model("runs:/<id>/model")``, ``mlflow models serve`` and
``mlflow.pyfunc.spark_udf`` work on raw fields (see ``tandem_infer.pyfunc``).
"""

import collections
import json
import os
import warnings as _warnings
from collections.abc import Mapping

import numpy as np
import pandas as pd

from . import _columns, _native
from ._errors import InputError, ModelError, TandemError, TandemWarning

__all__ = ["Model", "TandemError", "InputError", "ModelError", "TandemWarning", "__version__"]
__version__ = _native.VERSION

_ERRORS = ("raise", "column")


def _records(data):
    """A list of records from a dict, a list of mappings, or a pandas Series (of records, or
    one record keyed by field name)."""
    if isinstance(data, Mapping):
        data = [data]
    elif isinstance(data, pd.Series):
        values = data.tolist()
        data = values if values and all(isinstance(v, Mapping) for v in values) else [data.to_dict()]
    return [dict(r) if isinstance(r, Mapping) and not isinstance(r, dict) else r for r in data]


def _threads(threads):
    if threads is None:
        return None
    if isinstance(threads, bool) or not isinstance(threads, int) or threads < 1:
        raise ValueError(f"threads must be a positive integer or None (every core), not {threads!r}")
    return threads


class Warnings(list):
    """A result's warnings (``row``, ``code``, ``field``, ``message`` each), kept in
    ``DataFrame.attrs``. pandas copies ``attrs`` deeply on most operations; this list is
    shared instead, so a million warnings cost nothing to carry along."""

    def __deepcopy__(self, memo):
        return self

    def __copy__(self):
        return self


def _summary(found):
    """One line about every warning of a batch: ``3 rows predicted with warnings:
    UNKNOWN_CATEGORY sex (2), ...; see the result's attrs['warnings']``."""
    counts = collections.Counter((w["code"], w["field"]) for w in found)
    rows = len({w["row"] for w in found})
    parts = ", ".join(f"{code} {field} ({n})" for (code, field), n in counts.most_common(5))
    more = "" if len(counts) <= 5 else f" and {len(counts) - 5} more"
    return f"{rows} row{'s' if rows != 1 else ''} predicted with warnings: {parts}{more}; see the result's attrs['warnings']"


class Model:
    """A loaded Tandem bundle. Load with :meth:`Model.load`."""

    def __init__(self, native):
        self._native = native
        self._schema = json.loads(native.schema_json())
        self._metadata = None
        self._date_formats = dict(native.date_formats())

    @classmethod
    def load(cls, source, *, tracking_uri=None, runs_dir=None, public_key=None, engine="auto"):
        """Load a bundle from ``bytes``, a path (a ``model.tandem`` file or a folder holding
        one), ``runs:/<run id>[/<artifact path>]`` or ``models:/<name>@<alias>`` /
        ``models:/<name>/<version>`` / ``models:/<name>/latest``. URIs resolve against the MLflow server ``tracking_uri``
        (default: ``MLFLOW_TRACKING_URI``), else the local run store ``runs_dir`` (default
        ``tandem-runs``), as ``tandem predict --model`` does. ``public_key`` (PEM, or base64
        of the 32 bytes) requires the bundle to be signed with it. ``engine``: ``auto``,
        ``dense`` or ``tract``. Raises :class:`ModelError`."""
        if isinstance(source, (bytes, bytearray, memoryview)):
            native = _native.NativeModel.from_bytes(bytes(source), "<bytes>", public_key, engine)
        elif isinstance(source, (str, os.PathLike)):
            if tracking_uri is None:
                tracking_uri = os.environ.get("MLFLOW_TRACKING_URI") or None
            native = _native.NativeModel.resolve(
                os.fspath(source), tracking_uri, os.fspath(runs_dir or "tandem-runs"), public_key, engine
            )
        else:
            raise TypeError(f"Model.load takes bytes, a path or a model URI, not {type(source).__name__}")
        return cls(native)

    @property
    def schema(self):
        """The input schema: ``fields`` (name, type, nullable, categories...) and ``label``."""
        return self._schema

    @property
    def metadata(self):
        """The bundle's metadata: run id, creation time, metrics, feature names, versions."""
        if self._metadata is None:
            self._metadata = json.loads(self._native.metadata_json())
        return self._metadata

    @property
    def fields(self):
        """The input fields' names, in schema order."""
        return [f["name"] for f in self._schema["fields"]]

    @property
    def classes(self):
        """The class labels (classification), or ``None`` (regression)."""
        task = self._schema["label"]["task"]
        return list(task["classes"]) if task.get("kind") == "classification" else None

    @property
    def source(self):
        """Where the bundle came from."""
        return self._native.source

    @property
    def engine(self):
        """The engine running the network: ``dense`` or ``tract``."""
        return self._native.engine

    def __repr__(self):
        kind = f"{len(self.classes)} classes" if self.classes is not None else "regression"
        return f"<tandem_infer.Model {self.source}: {len(self.fields)} fields, {kind}, {self.engine}>"

    def _table(self, data):
        """A DataFrame or Arrow table as it is, anything Arrow-backed (polars) as Arrow;
        ``None`` for records."""
        if hasattr(data, "to_arrow") and not isinstance(data, pd.DataFrame) and not _columns.is_arrow(data):
            data = data.to_arrow()
        if isinstance(data, pd.DataFrame) or _columns.is_arrow(data):
            return data
        if isinstance(data, (Mapping, list, tuple, pd.Series)):
            return None
        raise TypeError(
            "takes a pandas DataFrame, a pyarrow Table or RecordBatch, a list of dicts or one "
            f"dict, not {type(data).__name__}"
        )

    def _run(self, data, strict_categories, range, threads):
        """``(rows, native outcome, index)`` for any accepted input."""
        threads = _threads(threads)
        table = self._table(data)
        if table is not None:
            rows, specs, index = _columns.columns(table, self.fields, self._date_formats)
            out = self._native.predict_columns(rows, specs, strict_categories, range, threads)
            return rows, out, index
        records = _records(data)
        out = self._native.predict_records(records, strict_categories, range, threads)
        return len(records), out, None

    def predict(self, data, *, errors="raise", range="warn", strict_categories=False, threads=None):
        """Predict every row of ``data``: a pandas DataFrame, a pyarrow Table or RecordBatch,
        a list of dicts or one dict (fields by name; other columns are ignored; a DataFrame
        must hold a column for every field).

        Returns a DataFrame (the input's index): ``label`` and ``probability_<class>`` per
        class, or ``value``. ``errors="raise"`` raises :class:`InputError` for the first bad
        row; ``errors="column"`` predicts the others and adds ``error_code``,
        ``error_field`` and ``error`` (the failed rows' label is missing, their numbers NaN).
        ``range``: ``warn``, ``clip`` or ``error`` for numbers outside the training range;
        ``strict_categories`` rejects categories never seen in training. Large batches run
        on ``threads`` threads (default: every core), without the GIL."""
        if errors not in _ERRORS:
            raise ValueError(f"errors must be one of {_ERRORS}, not {errors!r}")
        rows, (scores, labels, failed, found), index = self._run(data, strict_categories, range, threads)
        if failed and errors == "raise":
            row, code, field, message = failed[0]
            raise InputError(code, message, field, row)
        classes = self.classes
        width = len(classes) if classes is not None else 1
        numbers = np.frombuffer(scores, dtype=np.float64).reshape(rows, width).copy()
        bad = np.fromiter((f[0] for f in failed), dtype=np.intp, count=len(failed))
        numbers[bad] = np.nan
        if classes is not None:
            label = np.asarray(classes, dtype=object)[np.frombuffer(labels, dtype=np.uint64)]
            label[bad] = None
            out = {"label": label}
            out.update((f"probability_{c}", numbers[:, j]) for j, c in enumerate(classes))
        else:
            out = {"value": numbers[:, 0]}
        if errors == "column":
            for name, at in (("error_code", 1), ("error_field", 2), ("error", 3)):
                column = np.full(rows, None, dtype=object)
                column[bad] = [f[at] for f in failed]
                out[name] = column
        frame = pd.DataFrame(out, index=index)
        frame.attrs["warnings"] = Warnings(dict(zip(("row", "code", "field", "message"), w)) for w in found)
        if found:
            _warnings.warn(_summary(frame.attrs["warnings"]), TandemWarning, stacklevel=2)
        return frame

    def predict_one(self, record, *, range="warn", strict_categories=False):
        """Predict one record (a dict of field values): ``{"label", "probabilities"}`` or
        ``{"value"}``, as ``tandem serve`` answers; warnings as :class:`TandemWarning`. The
        fast path for one row (no DataFrame)."""
        if isinstance(record, Mapping) and not isinstance(record, dict):
            record = dict(record)
        prediction, found = self._native.predict_one(record, strict_categories, range)
        for _, code, field, message in found:
            _warnings.warn(f"[{code}] {field}: {message}", TandemWarning, stacklevel=2)
        return prediction

    def features(self, data, *, range="warn", strict_categories=False):
        """The feature vectors the network sees (after the bundle's preprocessing), as a
        float32 DataFrame whose columns are the bundle's feature names. Raises
        :class:`InputError` for a bad row."""
        table = self._table(data)
        if table is not None:
            rows, specs, index = _columns.columns(table, self.fields, self._date_formats)
            raw, width, failed = self._native.features(rows, specs, strict_categories, range)
        else:
            records = _records(data)
            rows, index = len(records), None
            raw, width, failed = self._native.features_records(records, strict_categories, range)
        if failed:
            row, code, field, message = failed[0]
            raise InputError(code, message, field, row)
        names = self.metadata.get("feature_names") or [f"f{i}" for i in builtins_range(width)]
        values = np.frombuffer(raw, dtype=np.float32).reshape(rows, width).copy()
        return pd.DataFrame(values, columns=names[:width], index=index)

    def explain(self, record, *, method="auto", permutations=None, seed=0, max_evaluations=None,
                range="warn", strict_categories=False):
        """Why this prediction: each field's Shapley value per output (class probability or
        value) against the bundle's background sample, as ``tandem explain`` writes it
        (``base + sum(values) == prediction``)."""
        if isinstance(record, Mapping) and not isinstance(record, dict):
            record = dict(record)
        if not isinstance(seed, int) or seed < 0 or seed >= 2**64:
            raise ValueError(f"seed must be an integer from 0 to 2**64 - 1, not {seed!r}")
        text = self._native.explain(record, method, permutations, seed, max_evaluations,
                                    strict_categories, range)
        return json.loads(text)

    def __reduce__(self):
        raise TypeError(
            "a tandem_infer.Model is not pickled: ship the bundle's bytes (or its path or URI) "
            "and call Model.load where it runs"
        )


builtins_range = range
