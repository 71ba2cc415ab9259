import sqlite3
from pathlib import Path

DB = Path(__file__).resolve().parent / "pagos.db"


def init_db() -> None:
    with sqlite3.connect(DB) as conn:
        conn.execute("CREATE TABLE IF NOT EXISTS pagos (id INTEGER PRIMARY KEY, monto REAL, conciliado INTEGER)")


def get_summary() -> dict:
    with sqlite3.connect(DB) as conn:
        total, pending = conn.execute(
            "SELECT COUNT(*), COALESCE(SUM(conciliado = 0), 0) FROM pagos"
        ).fetchone()
    return {"total": total, "pendientes": pending}
