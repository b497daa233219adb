"""Real-data tasks: read uploads, built-in datasets, and column roles → arrays.

Light on purpose (pandas, numpy; scikit-learn only inside the built-in loaders; no torch):
a Streamlit preview page imports it.
"""

from moo_core.data._builtin import DATASETS, BuiltinDataset
from moo_core.data._csv import MAX_UPLOAD_BYTES, read_csv_bytes
from moo_core.data._describe import describe_frame
from moo_core.data._errors import DataError
from moo_core.data._load import content_hash, load_table
from moo_core.data._prepare import prepare
from moo_core.data._prepared import Prepared

__all__ = [
    "DATASETS",
    "MAX_UPLOAD_BYTES",
    "BuiltinDataset",
    "DataError",
    "Prepared",
    "content_hash",
    "describe_frame",
    "load_table",
    "prepare",
    "read_csv_bytes",
]
