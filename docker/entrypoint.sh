#!/bin/sh
# MOO Lab container entrypoint.
#   app       start the Streamlit dashboard on 0.0.0.0:${PORT:-8501} and, unless
#             MOO_EXTERNAL_WORKERS=1, a background worker beside it (restarted if it
#             exits), so runs submitted with `docker exec` train without a browser
#   worker    start a background worker (extra arguments go to `python -m worker serve`)
#   reset-db  delete the SQLite database file under the data folder (SQLite only)
#   anything else is executed as given.
# MOO_APP_DIR (default /app) is the application folder; MOO_DRY_RUN=1 prints the
# final command instead of executing it (used by the tests).
set -eu

APP_DIR="${MOO_APP_DIR:-/app}"
DATA_DIR="$APP_DIR/data"
DB_URL="${MOO_DATABASE_URL:-sqlite:///data/moolab.db}"

run() {
    if [ "${MOO_DRY_RUN:-0}" = "1" ]; then
        printf '%s\n' "$*"
        exit 0
    fi
    exec "$@"
}

# The app's own worker: `python -m worker serve`, started again 2 s after it exits. The
# app is told workers are external, so it does not spawn a second one when a page opens.
start_worker() {
    if [ "${MOO_DRY_RUN:-0}" = "1" ]; then
        printf 'worker: %s\n' "python -m worker serve"
        return 0
    fi
    (
        trap 'exit 0' TERM INT
        while :; do
            python -m worker serve || echo "entrypoint: worker exited ($?); restarting" >&2
            sleep 2
        done
    ) &
}

mkdir -p "$DATA_DIR"
cd "$APP_DIR"

cmd="${1:-app}"
[ "$#" -gt 0 ] && shift

case "$cmd" in
    app)
        if [ "${MOO_EXTERNAL_WORKERS:-0}" != "1" ]; then
            start_worker
            export MOO_EXTERNAL_WORKERS=1
        fi
        run streamlit run app.py \
            --server.address 0.0.0.0 \
            --server.port "${PORT:-8501}" \
            --server.headless true \
            --browser.gatherUsageStats false
        ;;
    worker)
        run python -m worker serve "$@"
        ;;
    reset-db)
        case "$DB_URL" in
            sqlite:///*) ;;
            *)
                echo "reset-db: MOO_DATABASE_URL is not an SQLite URL; refusing to touch it." >&2
                echo "reset-db: reset a server database with its own tools." >&2
                exit 2
                ;;
        esac
        db_path="${DB_URL#sqlite:///}"
        case "$db_path" in
            /*) ;;
            *) db_path="$APP_DIR/$db_path" ;;
        esac
        db_dir="$(dirname "$db_path")"
        case "$db_dir" in
            "$DATA_DIR" | "$DATA_DIR"/*) ;;
            *)
                echo "reset-db: $db_path is not under $DATA_DIR; refusing to delete it." >&2
                exit 2
                ;;
        esac
        rm -f "$db_path" "$db_path-wal" "$db_path-shm" "$db_path-journal"
        echo "reset-db: removed $db_path"
        ;;
    *)
        run "$cmd" "$@"
        ;;
esac
