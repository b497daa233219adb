"""Workshop mode in the pages (ui/workshop.py decides; this reads the session). Not a page.

A session's owner id lives in st.session_state (kept across pages by st.navigation) and, in
workshop mode, in a cookie, so that a reload or a new tab of the same browser keeps owning
what it started. The instructor's token is typed in the sidebar; a reload asks for it again."""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Sequence
from typing import Any

import streamlit as st

from ui import workshop

COOKIE = "moolab_me"
COOKIE_DAYS = 30
OWNER_KEY, TOKEN_KEY, COOKIE_SET = "_owner", "_admin_token", "_owner_cookie_set"
CHECKED_KEY = "_admin_token_checked"
LOG = logging.getLogger("moolab.workshop")
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
    return workshop.Access(_owner(), workshop=True, admin=_is_token(entered, token))


@st.cache_resource(show_spinner=False)
def _attempts() -> workshop.TokenAttempts:
    """Wrong tokens seen by this server (one counter for every session)."""
    return workshop.TokenAttempts()


def _is_token(entered: str, token: str) -> bool:
    """Whether `entered` is the instructor's token. Each new value typed is one attempt:
    rate-limited per client address and per server, and each wrong one logged (the server's
    log names the address and the session, never the value typed)."""
    if not entered:
        return False
    digest, now = hashlib.sha256(entered.encode()).hexdigest(), time.monotonic()
    checked = st.session_state.get(CHECKED_KEY)  # (digest, right, refused until)
    if checked is not None and checked[0] == digest:  # the same value, on a rerun
        _, right, until = checked
        if until == 0.0:
            return right  # compared once: no new attempt
        if now < until:
            return False  # refused a moment ago: not tried again before its wait is over
    address = st.context.ip_address  # None from localhost
    client = address if isinstance(address, str) and address else "local"
    if wait := _attempts().wait(client, now):
        st.session_state[CHECKED_KEY] = (digest, False, now + wait)
        LOG.warning("instructor token: attempt from %s refused for %.0f s", client, wait)
        return False
    right = workshop.token_matches(entered, token)
    if not right:
        count = _attempts().failed(client, now)
        LOG.warning(
            "instructor token: wrong token from %s (session %s…), %d within %.0f s",
            client, _owner()[:6], count, _attempts().window,
        )  # fmt: skip
    st.session_state[CHECKED_KEY] = (digest, right, 0.0)
    return right


def refused_for() -> float:
    """Seconds this session's typed token is still refused without being compared (0: none)."""
    checked = st.session_state.get(CHECKED_KEY)
    return max(0.0, checked[2] - time.monotonic()) if checked else 0.0


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
            if wait := refused_for():
                st.error(f"Too many wrong tokens: try again in {wait:.0f} s.")
            elif st.session_state.get(TOKEN_KEY):
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


def admission(configs: Sequence[Any]):
    """The owner of a submission, and its check of the workshop limits given the owner's
    active runs (None for the instructor, or outside workshop mode): storage.submit_owned asks
    it in the transaction that stores the runs, so two tabs cannot pass a limit together."""
    me = access()
    if not me.limited:
        return me.owner, None
    return me.owner, lambda active: workshop.submission_refusal(limits(), configs, active)


def upload_rules(eng) -> dict[str, Any]:
    """ui.datasets.store_upload's owner and refusals for this session: `refuse(size)` at once,
    `admit(stored)` again in the transaction that stores the upload."""
    import storage

    me = access()
    if not me.limited:
        return {"owner": me.owner}
    stored = storage.owned_datasets(eng, me.owner)
    return {
        "owner": me.owner,
        "refuse": lambda size: workshop.upload_refusal(limits(), size, stored),
        "admit": lambda stored: workshop.upload_refusal(limits(), 0, stored),
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
    from pages._base import confirmed
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
    from pages._faults import shown

    with shown():  # a read-only or full database: one line
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
    from pages._base import ROOT, require_navigation

    require_navigation(str(ROOT / "pages" / "lab.py"))
