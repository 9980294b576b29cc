"""Settings come from KETNOI_* variables, with the embedded defaults."""

from __future__ import annotations

import pytest

from service.config import Settings


def test_defaults_are_the_embedded_setup() -> None:
    settings = Settings.from_env({})
    assert settings.database_url is None
    assert settings.data_dir == "var"
    assert (settings.host, settings.port) == ("127.0.0.1", 8000)


def test_variables_override_defaults_and_are_typed() -> None:
    settings = Settings.from_env(
        {"KETNOI_PORT": "9001", "KETNOI_DATABASE_URL": "postgresql://db/ketnoi", "KETNOI_WORKERS": "2"}
    )
    assert settings.port == 9001
    assert settings.workers == 2
    assert settings.database_url == "postgresql://db/ketnoi"


def test_empty_variables_mean_default() -> None:
    assert Settings.from_env({"KETNOI_PORT": ""}).port == 8000


def test_a_bad_value_stops_start_up_with_its_name() -> None:
    with pytest.raises(SystemExit, match="port"):
        Settings.from_env({"KETNOI_PORT": "eighty"})


def test_the_search_sample_window_is_a_count_of_listings() -> None:
    assert Settings.from_env({}).search_sample == 3000
    assert Settings.from_env({"KETNOI_SEARCH_SAMPLE": "0"}).search_sample == 0
    with pytest.raises(SystemExit, match="search_sample"):
        Settings.from_env({"KETNOI_SEARCH_SAMPLE": "-1"})


def test_the_database_timeout_is_a_positive_number_of_seconds() -> None:
    assert Settings.from_env({}).db_timeout == 15.0
    assert Settings.from_env({"KETNOI_DB_TIMEOUT": "2.5"}).db_timeout == 2.5
    with pytest.raises(SystemExit, match="db_timeout"):
        Settings.from_env({"KETNOI_DB_TIMEOUT": "0"})


def test_sql_builders_take_only_plain_identifiers() -> None:
    from service.db import insert_sql, update_sql

    assert insert_sql("service", ["id", "name"]) == "INSERT INTO service (id, name) VALUES ($1, $2)"
    assert update_sql("plan", ["status = $2"], "id = $1") == "UPDATE plan SET status = $2 WHERE id = $1"
    for bad in ("name; DROP TABLE service", "Name", "a-b", ""):
        with pytest.raises(ValueError, match="identifier"):
            insert_sql("service", [bad])
