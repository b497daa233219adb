"""Workshop mode in the pages (ui/workshop.py decides; this reads the session). Not a page.

A session's owner id lives in st.session_state (kept across pages by st.navigation) and, in
workshop mode, in a cookie, so that a reload or a new tab of the same browser keeps owning
what it started. The instructor's token is typed in the sidebar; a reload asks for it again."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import streamlit as st

from moo_core.registry import ConfigError
from ui import workshop

COOKIE = "moolab_me"
COOKIE_DAYS = 30
OWNER_KEY, TOKEN_KEY, COOKIE_SET = "_owner", "_admin_token", "_owner_cookie_set"
EXPIRY_SECONDS = 3600  # how often a server looks for expired uploads
DISABLED = {"disabled": True, "help": workshop.NOT_YOURS}


def _owner() -> str:
    """This browser session's id: kept in session state, first read from the cookie."""
    owner = st.session_state.get(OWNER_KEY)
    if owner is None:
        cookie = st.context.cookies.get(COOKIE)
        owner = cookie if workshop.valid_owner(cookie) else workshop.new_owner()
        st.session_state[OWNER_KEY] = owner
    return owner


def access() -> workshop.Access:
    """This session's rights: everything outside workshop mode."""
    token = workshop.admin_token()
    if token is None:
        return workshop.Access(_owner())
    entered = st.session_state.get(TOKEN_KEY, "")
    return workshop.Access(_owner(), workshop=True, admin=workshop.token_matches(entered, token))


def limits() -> workshop.Limits:
    return workshop.limits_from_env()[0]


def sidebar() -> None:
    """app.py, every page: in workshop mode, the token field and what this session may do."""
    if workshop.admin_token() is None:
        return
    owner = _owner()
    with st.sidebar:
        if st.context.cookies.get(COOKIE) != owner and not st.session_state.get(COOKIE_SET):
            _set_cookie(owner)
        st.text_input(
            "Instructor token",
            type="password",
            key=TOKEN_KEY,
            help="The instructor may delete or cancel anything and trains without limits.",
        )
        me = access()
        if me.admin:
            st.success("Instructor: you may delete or cancel anything; no limits.")
        else:
            if st.session_state.get(TOKEN_KEY):
                st.error("That is not the instructor's token.")
            st.caption(
                "Workshop mode: everyone's results are shown; you may delete or cancel only "
                "what you started."
            )
        for line in workshop.limits_from_env()[1]:
            st.warning(f"Ignored {line}.")


def _set_cookie(owner: str) -> None:
    """Remember the owner id in the browser (st.context.cookies only reads cookies)."""
    value = json.dumps(f"{COOKIE}={owner}; path=/; max-age={COOKIE_DAYS * 86400}; SameSite=Strict")
    st.html(f"<script>document.cookie = {value};</script>", unsafe_allow_javascript=True)
    st.session_state[COOKIE_SET] = True


def limits_caption(uploads: bool = False) -> None:
    """Under a form: the limits a participant trains within (nothing for the instructor)."""
    if access().limited:
        st.caption(workshop.limits_text(limits(), uploads=uploads))


def admit(eng, configs: Sequence[Any]) -> None:
    """ConfigError (one line) when a participant's submission exceeds the workshop limits."""
    me = access()
    if not me.limited:
        return
    import storage

    refusal = workshop.submission_refusal(limits(), configs, storage.active_runs(eng, me.owner))
    if refusal:
        raise ConfigError(refusal)


def record(eng, experiment_id: int | None, run_ids: Sequence[int]) -> None:
    """Mark a submission as this session's."""
    import storage

    storage.claim_submission(eng, access().owner, experiment_id, run_ids)


def upload_rules(eng) -> dict[str, Any]:
    """ui.datasets.store_upload's owner and refusal for this session."""
    import storage

    me = access()
    if not me.limited:
        return {"owner": me.owner}
    stored = storage.owned_datasets(eng, me.owner)
    return {
        "owner": me.owner,
        "refuse": lambda size: workshop.upload_refusal(limits(), size, stored),
    }


def owned_button(place, label: str, key: str, owner: str | None) -> bool:
    """`place.button` for something `owner` owns: disabled, saying why, for a participant who
    does not own it. True only when pressed by someone allowed (a disabled button is no check:
    a crafted message can still press it)."""
    may = access().may(owner)
    return place.button(label, key=key, **({} if may else DISABLED)) and may


def guarded(allowed: bool, action: str) -> None:
    """Say why a control is disabled for this session."""
    if not allowed:
        st.caption(f"{action}: {workshop.NOT_YOURS}")


def visible_uploads(eng) -> list:
    """Stored uploads this session may preview: its own (those it uploaded in this session
    too, by the results the Datasets page keeps), or every one for the instructor."""
    import storage

    done = st.session_state.get("_ds_uploads", {})
    mine = [result.view.ref for result in done.values() if result.ok]
    return workshop.visible_uploads(access(), storage.list_datasets(eng), mine)


def delete_upload(eng, view) -> None:
    """The Datasets page's delete button for the chosen upload `view` (after a confirm)."""
    import storage
    from pages._shared import confirmed
    from ui.labels import plain

    if not access().may(view.owner):
        st.button("Delete this dataset", key="delete_dataset", disabled=True)
        guarded(False, "Delete")
        return
    warning = plain(f"Delete {view.name}? Runs that used it keep their steps. No undo.")
    if not confirmed("Delete this dataset", "delete_dataset", view.ref, warning):
        return
    if storage.dataset_in_use(eng, view.ref):
        st.error("A queued or running run trains on this dataset: cancel it or wait, then delete.")
        return
    storage.delete_dataset(eng, view.ref)
    st.toast(plain(f"Deleted {view.name}"))
    st.rerun()


def expire_uploads(eng) -> None:
    """In workshop mode, delete uploads unused for MOO_DATASET_TTL_DAYS (at most hourly)."""
    days = workshop.dataset_ttl_days()
    if workshop.admin_token() is not None and days is not None:
        _expire(eng.url.render_as_string(hide_password=True), days, eng)


@st.cache_data(ttl=EXPIRY_SECONDS, show_spinner=False)
def _expire(url: str, days: float, _eng) -> int:
    import storage

    return len(storage.expire_datasets(_eng, days))


if __name__ == "__main__":  # opened as the old-style page /workshop: not a page, go to the app
    from pages._shared import ROOT, require_navigation

    require_navigation(str(ROOT / "pages" / "lab.py"))
