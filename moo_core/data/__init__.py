"""Real-data tasks: read uploads, built-in datasets, and column roles → arrays.

Light on purpose (pandas, numpy; scikit-learn only inside the built-in loaders; no torch):
a Streamlit preview page imports it.
"""

from moo_core.registry import lazy_names

_WHERE = {
    "DATASETS": "moo_core.data._builtin",
    "BuiltinDataset": "moo_core.data._builtin",
    "MAX_UPLOAD_BYTES": "moo_core.data._csv",
    "read_csv_bytes": "moo_core.data._csv",
    "describe_frame": "moo_core.data._describe",
    "DataError": "moo_core.data._errors",
    "content_hash": "moo_core.data._load",
    "load_table": "moo_core.data._load",
    "read_file": "moo_core.data._load",
    "prepare": "moo_core.data._prepare",
    "Prepared": "moo_core.data._prepared",
}
__all__ = sorted(_WHERE)


__getattr__ = lazy_names(__name__, _WHERE)
