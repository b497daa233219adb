"""Pure helpers for the Streamlit dashboard (no Streamlit import here)."""
