"""Input data to column buffers: pandas DataFrames, pyarrow Tables and RecordBatches (and
anything with ``to_arrow()``, such as polars) become one buffer per field, copied out of
numpy or Arrow once per column (only the rows a sliced array holds) and read by the native
module without a copy per cell.

A column spec is one of:

- ``("number", float64 bytes)``: NaN is a missing value;
- ``("bool", one byte a row, validity bytes or None)``;
- ``("string", offsets, large, data, validity or None, validity bit offset)``: Arrow's
  string layout, the offsets rebased to the rows the array holds;
- ``("object", list)``: Python values, read one by one.

A table's cells mean what a CSV file's cells mean (``core::columnar``): text in a number or
boolean field is read as a CSV cell, a boolean field reads 0 and 1. Date and time columns are
written as text in the format the bundle's date node parses (ISO without one).
"""

import numpy as np
import pandas as pd

try:  # optional: pyarrow columns, and pandas' pyarrow-backed strings, without a copy per cell
    import pyarrow as pa
except ImportError:  # pragma: no cover - exercised in the fresh-venv test
    pa = None


def _datetimes(series, fmt):
    """Each value as text: in ``fmt`` (the bundle's date format), else ISO (the date alone for a
    value at midnight); missing values stay missing."""
    values = series
    if getattr(values.dt, "tz", None) is not None:
        values = values.dt.tz_convert("UTC")
        if fmt is None:
            values = values.dt.tz_localize(None)
    if fmt is not None:
        text = values.dt.strftime(fmt)
    else:
        midnight = values == values.dt.normalize()
        text = values.dt.strftime("%Y-%m-%dT%H:%M:%S").where(~midnight, values.dt.strftime("%Y-%m-%d"))
    missing = values.isna().to_numpy()
    out = np.array(text.astype(object), dtype=object)
    out[missing] = None
    return ("object", out.tolist())


def from_series(series, fmt=None):
    """The spec of one pandas column (``fmt``: the field's date format, if any)."""
    dtype = series.dtype
    if pa is not None and isinstance(dtype, getattr(pd, "ArrowDtype", ())):
        return from_arrow(pa.array(series), fmt)
    if isinstance(dtype, pd.CategoricalDtype):
        return ("object", series.astype(object).tolist())
    if pd.api.types.is_datetime64_any_dtype(dtype):
        return _datetimes(series, fmt)
    if pd.api.types.is_bool_dtype(dtype):
        if series.isna().any():
            values = series.to_numpy(dtype=np.uint8, na_value=0)
            valid = series.notna().to_numpy(dtype=np.uint8)
            return ("bool", values.tobytes(), valid.tobytes())
        return ("bool", series.to_numpy(dtype=np.uint8).tobytes(), None)
    if pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_complex_dtype(dtype):
        return ("number", series.to_numpy(dtype=np.float64, na_value=np.nan).tobytes())
    if pa is not None and isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow":
        return from_arrow(pa.array(series), fmt)
    return ("object", series.tolist())


def _strings(array):
    """The spec of an Arrow (large_)string array: only the rows it holds are copied, offsets
    rebased to start at 0, the validity bitmap cut at a byte boundary."""
    large = pa.types.is_large_string(array.type)
    validity, offsets, data = array.buffers()
    kind = np.int64 if large else np.int32
    n = len(array)
    bounds = np.frombuffer(offsets, dtype=kind, count=n + 1, offset=array.offset * np.dtype(kind).itemsize)
    first, last = int(bounds[0]), int(bounds[-1])
    text = data.slice(first, last - first).to_pybytes() if data is not None and last > first else b""
    bits = None
    if validity is not None and array.null_count:
        start = array.offset // 8
        bits = validity.slice(start, (array.offset % 8 + n + 7) // 8).to_pybytes()
    return ("string", (bounds - first).tobytes(), large, text, bits, array.offset % 8)


def from_arrow(array, fmt=None):
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
        return _strings(array)
    if pa.types.is_boolean(kind):
        values = array.fill_null(False).to_numpy(zero_copy_only=False).astype(np.uint8)
        valid = array.is_valid().to_numpy(zero_copy_only=False).astype(np.uint8) if array.null_count else None
        return ("bool", values.tobytes(), None if valid is None else valid.tobytes())
    if pa.types.is_integer(kind) or pa.types.is_floating(kind) or pa.types.is_decimal(kind):
        # safe=False: an integer past 2**53 becomes the nearest float, as from pandas or a dict.
        numbers = array.cast(pa.float64(), safe=False).to_numpy(zero_copy_only=False)
        return ("number", np.ascontiguousarray(numbers, dtype=np.float64).tobytes())
    if pa.types.is_null(kind):
        return ("object", [None] * len(array))
    if pa.types.is_timestamp(kind) or pa.types.is_date(kind):
        return _datetimes(pd.Series(array.to_pandas(date_as_object=False)), fmt)
    return ("object", array.to_pylist())


def is_arrow(data):
    return pa is not None and isinstance(data, (pa.Table, pa.RecordBatch))


def columns(data, fields, date_formats):
    """``(rows, [(name, spec)], index)`` for a DataFrame or an Arrow table: every column named
    like a field, its name trimmed (twice if a name is given twice, which the native side
    refuses)."""
    wanted = set(fields)

    def field(name):
        return name.strip() if isinstance(name, str) and name.strip() in wanted else None

    if isinstance(data, pd.DataFrame):
        specs = [
            (name, from_series(data.iloc[:, i], date_formats.get(field(name))))
            for i, name in enumerate(data.columns)
            if field(name) is not None
        ]
        return len(data), specs, data.index
    specs = [
        (name, from_arrow(data.column(i), date_formats.get(field(name))))
        for i, name in enumerate(data.schema.names)
        if field(name) is not None
    ]
    return data.num_rows, specs, None
