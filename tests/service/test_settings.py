"""Settings refuse unsafe or unworkable configurations, read BERDAYA_* and are cached."""

import pytest

from knowledge.errors import InvalidInput
from service import settings as settings_module
from service.settings import Settings


@pytest.mark.parametrize("env, fragment", [
    ({"BERDAYA_DATABASE_URL": "mysql://root@localhost/x"}, "mysql"),
    ({"BERDAYA_DATABASE_URL": "sqlite:///var/x.sqlite3", "BERDAYA_WORKERS": "4"}, "workers"),
    ({"BERDAYA_DATABASE_URL": "sqlite:///:memory:"}, "memory"),
    ({"BERDAYA_MAX_BODY_BYTES": "0"}, "max_body_bytes"),
    ({"BERDAYA_MAX_BATCH": "0"}, "max_batch"),
    ({"BERDAYA_WORKERS": "abc"}, "workers"),
    ({"BERDAYA_CHECK_WORKERS": "17"}, "check_workers"),
    ({"BERDAYA_CHECK_WORKERS": "-1"}, "check_workers"),
])
def test_unsafe_configuration_is_refused_with_a_bilingual_reason(env, fragment):
    with pytest.raises(InvalidInput) as caught:
        Settings.from_env(env)
    text = caught.value.report("en") + caught.value.report("id")
    assert fragment in text
    assert all(p.id and p.en and p.id != p.en for p in caught.value.problems)


def test_postgresql_with_several_workers_is_accepted():
    s = Settings.from_env({"BERDAYA_DATABASE_URL": "postgresql+psycopg://postgres@127.0.0.1/x",
                           "BERDAYA_WORKERS": "4"})
    assert s.workers == 4 and not s.is_sqlite


def test_environment_values_and_overrides():
    s = Settings.from_env({"BERDAYA_MAX_BATCH": "7", "BERDAYA_INDEX": "ppm"}, max_body_bytes=5000)
    assert (s.max_batch, s.max_body_bytes, s.index) == (7, 5000, "ppm")
    assert s.sqlite_path().name == "berdaya.sqlite3"


def test_get_settings_is_read_once(monkeypatch):
    settings_module.get_settings.cache_clear()
    monkeypatch.setenv("BERDAYA_MAX_BATCH", "11")
    first = settings_module.get_settings()
    monkeypatch.setenv("BERDAYA_MAX_BATCH", "12")
    assert settings_module.get_settings() is first and first.max_batch == 11
    settings_module.get_settings.cache_clear()


def test_serve_shares_the_cores_among_its_workers_for_check_workers(monkeypatch):
    from service.cli.serve import _check_workers

    monkeypatch.delenv("BERDAYA_CHECK_WORKERS", raising=False)
    monkeypatch.setattr("os.cpu_count", lambda: 2)
    assert (_check_workers(None, 1), _check_workers(None, 2), _check_workers(3, 2)) == (2, 1, 3)
    monkeypatch.setenv("BERDAYA_CHECK_WORKERS", "0")
    assert _check_workers(None, 1) == 0
