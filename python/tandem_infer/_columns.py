"""Input data to column buffers: pandas DataFrames, pyarrow Tables and RecordBatches (and
anything with ``to_arrow()``, such as polars) become one buffer per field, copied out of
numpy or Arrow once per column and read by the native module without a copy per cell.

A column spec is one of:

- ``("number", float64 bytes)``: NaN is a missing value;
- ``("bool", one byte a row, validity bytes or None)``;
- ``("string", offsets, large, data, validity or None, offset)``: Arrow's string layout;
- ``("object", list)``: Python values, read one by one with JSON's meaning.
"""

import numpy as np
import pandas as pd

try:  # optional: pyarrow columns, and pandas' pyarrow-backed strings, without a copy per cell
    import pyarrow as pa
except ImportError:  # pragma: no cover - exercised in the fresh-venv test
    pa = None


def _datetimes(series):
    """ISO text, as a CSV would hold it: dates alone when every value is at midnight."""
    values = series.dt.tz_localize(None) if getattr(series.dt, "tz", None) is not None else series
    midnight = (values.dropna() == values.dropna().dt.normalize()).all()
    text = values.dt.strftime("%Y-%m-%d" if midnight else "%Y-%m-%dT%H:%M:%S")
    return ("object", [None if pd.isna(v) else v for v in text.tolist()])


def from_series(series):
    """The spec of one pandas column."""
    dtype = series.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        return ("object", series.astype(object).tolist())
    if pd.api.types.is_bool_dtype(dtype):
        if series.isna().any():
            values = series.to_numpy(dtype=np.uint8, na_value=0)
            valid = series.notna().to_numpy(dtype=np.uint8)
            return ("bool", values.tobytes(), valid.tobytes())
        return ("bool", series.to_numpy(dtype=np.uint8).tobytes(), None)
    if pd.api.types.is_numeric_dtype(dtype):
        return ("number", series.to_numpy(dtype=np.float64, na_value=np.nan).tobytes())
    if pd.api.types.is_datetime64_any_dtype(dtype):
        return _datetimes(series)
    if pa is not None and isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow":
        return from_arrow(pa.array(series))
    return ("object", series.tolist())


def from_arrow(array):
    """The spec of one Arrow column (an Array or a ChunkedArray)."""
    if isinstance(array, pa.ChunkedArray):
        array = array.chunk(0) if array.num_chunks == 1 else array.combine_chunks()
    kind = array.type
    if pa.types.is_dictionary(kind):
        array = array.dictionary_decode()
        kind = array.type
    if getattr(pa.types, "is_string_view", lambda _: False)(kind):  # pyarrow >= 16
        array = array.cast(pa.large_string())
        kind = array.type
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        validity, offsets, data = array.buffers()
        return (
            "string",
            offsets.to_pybytes(),
            pa.types.is_large_string(kind),
            data.to_pybytes() if data is not None else b"",
            validity.to_pybytes() if validity is not None and array.null_count else None,
            array.offset,
        )
    if pa.types.is_boolean(kind):
        values = array.fill_null(False).to_numpy(zero_copy_only=False).astype(np.uint8)
        valid = array.is_valid().to_numpy(zero_copy_only=False).astype(np.uint8) if array.null_count else None
        return ("bool", values.tobytes(), None if valid is None else valid.tobytes())
    if pa.types.is_integer(kind) or pa.types.is_floating(kind) or pa.types.is_decimal(kind):
        numbers = array.cast(pa.float64()).to_numpy(zero_copy_only=False)
        return ("number", np.ascontiguousarray(numbers, dtype=np.float64).tobytes())
    if pa.types.is_null(kind):
        return ("object", [None] * len(array))
    if pa.types.is_timestamp(kind) or pa.types.is_date(kind):
        return _datetimes(pd.Series(array.to_pandas()))
    return ("object", array.to_pylist())


def is_arrow(data):
    return pa is not None and isinstance(data, (pa.Table, pa.RecordBatch))


def columns(data, fields):
    """``(rows, [(name, spec)], index)`` for a DataFrame or an Arrow table: every column named
    like a field (twice if a name is given twice, which the native side refuses)."""
    wanted = set(fields)
    if isinstance(data, pd.DataFrame):
        specs = [
            (name, from_series(data.iloc[:, i]))
            for i, name in enumerate(data.columns)
            if isinstance(name, str) and name in wanted
        ]
        return len(data), specs, data.index
    specs = [
        (name, from_arrow(data.column(i)))
        for i, name in enumerate(data.schema.names)
        if name in wanted
    ]
    return data.num_rows, specs, None
